import { readFileSync } from 'node:fs'

/**
 * The version in package.json. The sources run from `src/common/` and the compiled build from
 * `dist/src/common/`, so the file is looked for two and three levels up.
 */
export function packageVersion (): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string, version?: string }
      if (pkg.name === 'palisade' && typeof pkg.version === 'string') return pkg.version
    } catch {
      // not at this level: try the next
    }
  }
  return 'unknown'
}

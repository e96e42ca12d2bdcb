/**
 * Runs a preset the way `palisade test-regex --preset NAME:MODE` does: the real config loader,
 * the real compiled filters, first filter that matches wins. Shared by the web-*.test.ts files.
 */
import { parseConfig } from '../../../src/config/index.ts'
import { compileFilter } from '../../../src/detect/index.ts'

export type Matcher = (line: string) => string | null

export function presetMatcher (preset: string, mode = 'normal'): Matcher {
  const text = `patterns:\n  ip:\n    type: ip\nstreams:\n  s:\n    cmd: [cat]\n    preset: ${preset}\n    mode: ${mode}\n`
  const config = parseConfig([{ file: `${preset}-${mode}.yaml`, text, format: 'yaml' }], { isRoot: false, cwd: '/' })
  const filters = config.streams.s.filters.map(f => compileFilter(f, config.patterns))
  return line => {
    for (const f of filters) {
      const m = f.match(line, 0)
      if (m !== null) return m.ip ?? m.key
    }
    return null
  }
}

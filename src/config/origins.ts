import { Issues } from './issues.ts'
import type { Path } from './issues.ts'
import { merge } from './merge.ts'
import { readSources } from './read.ts'
import { parseSources } from './source.ts'
import type { ConfigEnv } from './build.ts'
import type { JsonnetExtVar } from './jsonnet.ts'

/**
 * Where each value of a configuration directory comes from, once base files are merged and the
 * `*.local.yml` override layer applied (local-layer.ts): one entry per value as written, with the
 * `file:line:col` of the file that set it. `test-config --sources` prints it, so "which file
 * wins?" has an answer on screen.
 */
export interface Origin { path: string, value: unknown, where: string }

export async function configOrigins (
  path: string, env: ConfigEnv, ext: readonly JsonnetExtVar[] = []
): Promise<Origin[]> {
  const issues = new Issues()
  const merged = merge(parseSources(await readSources(path, env.cwd, env.jsonnet, ext), issues), issues)
  const out: Origin[] = []
  const walk = (v: unknown, at: Path): void => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, [...at, k])
      return
    }
    // a list of commands (start, stop) may come from several files: one entry per command
    if (Array.isArray(v) && v.some(x => x !== null && typeof x === 'object')) {
      v.forEach((x, i) => { walk(x, [...at, i]) })
      return
    }
    out.push({ path: at.join('.'), value: v, where: merged.locate(at) })
  }
  walk(merged.value, [])
  return out
}

/**
 * Configuration: YAML, JSON or Jsonnet files (one file or a directory of them) → one validated,
 * normalised, deep-frozen `Config`. A reaction configuration loads unchanged. Every problem is
 * reported at once, each as `file:line:col: dotted.path: message`.
 *
 * @example
 * ```ts
 * import { loadConfig } from './config/index.ts'
 * try {
 *   const config = await loadConfig('/etc/palisade/palisade.yml')
 *   console.log(Object.keys(config.streams), config.state)
 * } catch (err) {
 *   // ConfigInvalidError: err.issues lists every problem; err.message prints them one a line
 *   console.error(err.message)
 * }
 * ```
 *
 * `parseConfig` does the same from in-memory texts with no I/O (tests, `test-config`).
 */
import { ConfigInvalidError } from '../common/errors.ts'
import type { ConfigIssue } from '../common/errors.ts'
import type { Config } from './types.ts'
import { Issues } from './issues.ts'
import { parseSources } from './source.ts'
import type { Source } from './source.ts'
import { merge } from './merge.ts'
import { build, deepFreeze } from './build.ts'
import type { ConfigEnv } from './build.ts'
import { readSources } from './read.ts'
import type { JsonnetExtVar } from './jsonnet.ts'

export type * from './types.ts'
export type { ConfigEnv } from './build.ts'
export { IP_REGEX, IPV4_REGEX, IPV6_REGEX } from './patterns.ts'
export { parseExtVar, type JsonnetExtVar } from './jsonnet.ts'

/** What `start` / `test-config` / `reload` pass besides the path. */
export interface LoadOptions {
  /** `--ext-str` / `--ext-code` variables of every Jsonnet file */
  ext?: readonly JsonnetExtVar[]
}

export interface ConfigSource {
  file: string
  text: string
  format: 'yaml' | 'json'
}

export function defaultEnv (): ConfigEnv {
  return { isRoot: process.getuid?.() === 0, cwd: process.cwd() }
}

function whereKey (where: string): [string, number, number] {
  const m = /^(.*):(\d+):(\d+)$/.exec(where)
  return m === null ? [where, 0, 0] : [m[1], Number(m[2]), Number(m[3])]
}

function parse (sources: readonly Source[], env: ConfigEnv): Config {
  const issues = new Issues()
  const parsed = parseSources(sources, issues)
  const merged = merge(parsed, issues)
  // with a file unreadable as YAML/JSON, "missing stream" and the like would be noise
  const config =
    parsed.length === sources.length && merged.complete
      ? build(
        merged,
        sources.map(s => s.file),
        env,
        issues
      )
      : null
  if (issues.count > 0 || config === null) {
    const located: ConfigIssue[] = issues.list.map(i => ({
      where: i.where ?? merged.locate(i.path, i.atKey),
      path: i.path.join('.'),
      message: i.message
    }))
    const order = sources.map(s => s.file)
    located.sort((a, b) => {
      const [fa, la, ca] = whereKey(a.where)
      const [fb, lb, cb] = whereKey(b.where)
      return (order.indexOf(fa) - order.indexOf(fb)) || (la - lb) || (ca - cb)
    })
    throw new ConfigInvalidError(located)
  }
  return deepFreeze(config)
}

/** Validate in-memory configuration texts (merged in the order given). Pure: no I/O. */
export function parseConfig (sources: readonly ConfigSource[], env: ConfigEnv = defaultEnv()): Config {
  return parse(sources, env)
}

/**
 * Read a configuration file or directory. Throws ConfigInvalidError (all issues),
 * or PalisadeError PAL_ERR_CONFIG_READ / PAL_ERR_CONFIG_JSONNET.
 */
export async function loadConfig (
  path: string, env: ConfigEnv = defaultEnv(), options: LoadOptions = {}
): Promise<Config> {
  return parse(await readSources(path, env.cwd, env.jsonnet, options.ext), env)
}

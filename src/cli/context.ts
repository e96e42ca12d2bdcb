import { join } from 'node:path'
import { ErrorCodes, palisadeError } from '../common/errors.ts'
import type { Config } from '../config/types.ts'
import type { JsonnetExtVar } from '../config/jsonnet.ts'
import type { GlobalOptions, OutputFormat } from '../control/commands/types.ts'

/** The config named by -c, or the first of the usual places that exists. */
export async function configFrom (g: GlobalOptions, ext: readonly JsonnetExtVar[] = []): Promise<Config> {
  return await load(g.config ?? defaultConfigPath(), ext)
}

// the schema and parsers cost ~150 ms to load: commands talking to the daemon rarely need them
async function load (path: string, ext: readonly JsonnetExtVar[] = []): Promise<Config> {
  const { loadConfig, defaultEnv } = await import('../config/index.ts')
  return await loadConfig(path, defaultEnv(), { ext })
}

/** `--ext-str` / `--ext-code` of start and test-config, in the order given */
export async function extVarsOf (o: { extStr?: unknown, extCode?: unknown }): Promise<JsonnetExtVar[]> {
  const { parseExtVar } = await import('../config/jsonnet.ts')
  const list = (v: unknown): string[] => (Array.isArray(v) ? v as string[] : [])
  return [...list(o.extStr).map(a => parseExtVar('str', a)), ...list(o.extCode).map(a => parseExtVar('code', a))]
}

export function defaultConfigPath (): string {
  return process.env.PALISADE_CONFIG ?? '/etc/palisade/palisade.yml'
}

/**
 * Which socket to talk to: -s, then $PALISADE_SOCKET, then the configuration's (when -c is
 * given), then the default the configuration would have (root: /run/palisade; else ./.palisade).
 */
export async function socketFrom (g: GlobalOptions): Promise<string> {
  if (g.socket !== undefined) return g.socket
  if (process.env.PALISADE_SOCKET !== undefined) return process.env.PALISADE_SOCKET
  if (g.config !== undefined) return (await load(g.config)).socket
  return process.getuid?.() === 0 ? '/run/palisade/palisade.sock' : join(process.cwd(), '.palisade', 'palisade.sock')
}

export function out (text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n')
}

/** `--json` or reaction's `-f/--format json|yaml`; text otherwise (a table for a terminal) */
export function formatOf (o: { json?: boolean, format?: string }): OutputFormat {
  if (o.json === true) return 'json'
  if (o.format === undefined) return 'text'
  if (o.format === 'json' || o.format === 'yaml' || o.format === 'text') return o.format
  throw palisadeError(ErrorCodes.CLI_USAGE, `-f/--format ${JSON.stringify(o.format)}: yaml, json or text`)
}

/** data as JSON or YAML; false when the format is text (the caller renders it) */
export async function printData (format: OutputFormat, data: unknown): Promise<boolean> {
  if (format === 'json') { out(JSON.stringify(data, null, 2)); return true }
  if (format === 'yaml') { out((await import('yaml')).stringify(data)); return true }
  return false
}

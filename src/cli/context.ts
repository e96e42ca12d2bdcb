import { join } from 'node:path'
import { ErrorCodes, palisadeError } from '../common/errors.ts'
import type { Config } from '../config/types.ts'
import { callDaemon } from '../control/socket-client.ts'
import type { GlobalOptions } from './main.ts'

/** The config named by -c, or the first of the usual places that exists. */
export async function configFrom (g: GlobalOptions): Promise<Config> {
  return await load(g.config ?? defaultConfigPath())
}

// the schema and parsers cost ~150 ms to load: commands talking to the daemon rarely need them
async function load (path: string): Promise<Config> {
  return await (await import('../config/index.ts')).loadConfig(path)
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

export async function ask (g: GlobalOptions, cmd: string, args: Record<string, unknown> = {}): Promise<unknown> {
  return await callDaemon(await socketFrom(g), cmd, args)
}

export function out (text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n')
}

/**
 * Rows in aligned columns (the last one not padded), under a header when printing to a terminal:
 * a script reading a pipe gets the rows alone, one a line.
 */
export function table (
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  withHeader = process.stdout.isTTY === true
): string {
  const all = withHeader ? [header, ...rows] : rows
  if (all.length === 0) return ''

  const widths = header.map((_h, i) => Math.max(...all.map(r => (r[i] ?? '').length)))
  return all
    .map(r =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd()
    )
    .join('\n')
}

export type OutputFormat = 'text' | 'json' | 'yaml'

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

/** reaction's target words: NAME=REGEX filters, and at most one address or prefix */
export function targetsOf (words: readonly string[]): { ip?: string, patterns: Record<string, string> } {
  const patterns: Record<string, string> = {}
  let ip: string | undefined
  for (const w of words) {
    const eq = w.indexOf('=')
    if (eq > 0) { patterns[w.slice(0, eq)] = w.slice(eq + 1); continue }
    if (ip !== undefined) throw palisadeError(ErrorCodes.CLI_USAGE, `one address at a time (got ${ip} and ${w}); filter several with NAME=REGEX`)
    ip = w
  }
  return ip === undefined ? { patterns } : { ip, patterns }
}

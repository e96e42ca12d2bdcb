import { join } from 'node:path'
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

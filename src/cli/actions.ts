import { ErrorCodes, palisadeError } from '../common/errors.ts'
import { isoTime, parseDuration } from '../common/duration.ts'
import type { Ban } from '../common/model.ts'
import type { GlobalOptions } from './main.ts'
import { ask, out } from './context.ts'

export async function commandBan (g: GlobalOptions, ip: string, o: { for?: string, reason?: string, share?: boolean }): Promise<void> {
  // refused here, before the daemon is asked: nothing is stored for a duration out of bounds
  if (o.for !== undefined) parseDuration(o.for)
  const ban = await ask(g, 'ban', { ip, for: o.for, reason: o.reason, share: o.share === true }) as Ban | undefined
  out(ban === undefined ? `${ip}: no ban made` : `banned ${ban.ip ?? ban.key} until ${isoTime(ban.until)}`)
}

export async function commandUnban (g: GlobalOptions, ip: string): Promise<void> {
  const ban = await ask(g, 'unban', { ip }) as Ban
  out(`unbanned ${ban.ip ?? ban.key}`)
}

export async function commandTrigger (g: GlobalOptions, filter: string, pairs: readonly string[]): Promise<void> {
  const values: Record<string, string> = {}
  for (const p of pairs) {
    const eq = p.indexOf('=')
    if (eq <= 0) throw palisadeError(ErrorCodes.CLI_USAGE, `expected name=value, got ${JSON.stringify(p)}`)
    values[p.slice(0, eq)] = p.slice(eq + 1)
  }
  const ban = await ask(g, 'trigger', { filter, values }) as Ban | null
  out(ban === null ? `${filter} triggered; no ban (protected address or below threshold)` : `${filter} triggered: ${ban.ip ?? ban.key} until ${isoTime(ban.until)}`)
}

export async function commandFeed (g: GlobalOptions, format: string): Promise<void> {
  process.stdout.write(await ask(g, 'feed', { format }) as string)
}

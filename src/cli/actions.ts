import { ErrorCodes, palisadeError } from '../common/errors.ts'
import { isoTime, parseDuration } from '../common/duration.ts'
import type { Ban } from '../common/model.ts'
import type { GlobalOptions } from './main.ts'
import { ask, formatOf, out, printData, targetsOf } from './context.ts'

export async function commandBan (
  g: GlobalOptions,
  ip: string,
  o: { for?: string; reason?: string; share?: boolean }
): Promise<void> {
  // refused here, before the daemon is asked: nothing is stored for a duration out of bounds
  if (o.for !== undefined) parseDuration(o.for)
  const ban = (await ask(g, 'ban', { ip, for: o.for, reason: o.reason, share: o.share === true })) as Ban | undefined
  out(ban === undefined ? `${ip}: no ban made` : `banned ${ban.ip ?? ban.key} until ${isoTime(ban.until)}`)
}

export async function commandUnban (g: GlobalOptions, ip: string): Promise<void> {
  const ban = await ask(g, 'unban', { ip }) as Ban & { contains?: string }
  out(`unbanned ${ban.ip ?? ban.key}${ban.contains !== undefined ? ` (contains ${ban.contains})` : ''}`)
}

/**
 * reaction's `flush`: with one address, `unban` it; with NAME=REGEX words and/or `-l
 * STREAM[.FILTER]`, lift every ban they select; with nothing, lift every ban. Counting matches of
 * what is flushed are forgotten too.
 */
export async function commandFlush (
  g: GlobalOptions,
  words: readonly string[],
  o: { json?: boolean; format?: string; limit?: string }
): Promise<void> {
  const format = formatOf(o)
  const t = targetsOf(words)
  if (t.ip !== undefined && o.limit === undefined && Object.keys(t.patterns).length === 0) {
    const ban = (await ask(g, 'unban', { ip: t.ip })) as Ban & { contains?: string }
    if (!(await printData(format, { lifted: [ban], counters: 0 }))) { out(`unbanned ${ban.ip ?? ban.key}${ban.contains !== undefined ? ` (contains ${ban.contains})` : ''}`) }
    return
  }
  const r = (await ask(g, 'flush', { ip: t.ip, limit: o.limit, patterns: t.patterns })) as {
    lifted: Ban[]
    counters: number
  }
  if (await printData(format, r)) return
  const subjects = r.lifted.map(b => b.ip ?? b.key.replaceAll('\t', ' '))
  out(
    `flushed ${subjects.length} ban${subjects.length === 1 ? '' : 's'}${subjects.length > 0 ? `: ${subjects.join(' ')}` : ''}; ${r.counters} counter${r.counters === 1 ? '' : 's'} forgotten`
  )
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

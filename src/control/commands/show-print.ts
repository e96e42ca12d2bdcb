import { formatDuration, isoTime } from '../../common/duration.ts'
import type { Ban } from '../../common/model.ts'
import type { CounterInfo, StreamStatus } from '../../detect/types.ts'
import type { Explanation } from '../../decide/index.ts'
import type { Selection } from '../selection.ts'
import type { PendingAction } from '../stages.ts'
import { indent, table } from './print.ts'

/** `show`'s answer: a page of bans (the CLI asks page after page) and the first page's extras */
export interface ShowAll {
  bans: Ban[]
  counters: CounterInfo[]
  pending: PendingAction[]
  /** all bans, of which a page came */
  total?: number
  countersTotal?: number
  pendingTotal?: number
  offset?: number
  /** streams retrying after errors or waiting for a missing file or glob */
  streams?: StreamStatus[]
}

/** `show ADDR`; `contains`: the address asked about, when the ban shown is a prefix holding it */
export type ShowOne = Explanation & { counters: CounterInfo[], pending: PendingAction[], contains?: string }

/** reaction's selection applied by the CLI to every page it fetched */
export function narrow (r: ShowAll, s: Selection): ShowAll {
  const bans = r.bans.filter(s.ban)
  return {
    ...r,
    bans,
    total: bans.length,
    counters: r.counters.filter(s.counter),
    countersTotal: undefined,
    pending: r.pending.filter(p => s.counter({ filter: p.filter, key: p.key, count: 0, retry: 0, since: 0 })),
    pendingTotal: undefined
  }
}

function until (t: number, now: number): string {
  return `${isoTime(t)} (in ${formatDuration(Math.round((t - now) / 1000) * 1000)})`
}

function reporters (r: readonly string[]): string {
  return r.map(x => x === 'self' ? 'self' : x.slice(0, 16) + '…').join(', ')
}

export function renderAll (r: ShowAll, now: number): string {
  const lines: string[] = []
  const bans = [...r.bans].sort((a, b) => a.until - b.until)
  lines.push(`${bans.length} active ban${bans.length === 1 ? '' : 's'}`)
  if (bans.length > 0) {
    const rows = bans.map(b => [
      b.ip ?? b.key.replaceAll('\t', ' '),
      b.origin,
      b.filter,
      until(b.until, now),
      String(b.level),
      reporters(b.reporters) + (b.firewall ? '' : ' (actions only)')
    ])
    lines.push(indent(table(['SUBJECT', 'ORIGIN', 'FILTER', 'UNTIL', 'LEVEL', 'BY'], rows)))
  }
  const more = (shown: number, total: number | undefined): string =>
    total !== undefined && total > shown ? ` (first ${shown} shown)` : ''
  if (r.counters.length > 0) {
    const n = r.countersTotal ?? r.counters.length
    lines.push(`${n} pending counter${n === 1 ? '' : 's'}${more(r.counters.length, r.countersTotal)}`)
    lines.push(indent(table(['KEY', 'FILTER', 'COUNT', 'SINCE'], r.counters.map(c => [c.key.replaceAll('\t', ' '), c.filter, `${c.count}/${c.retry}`, isoTime(c.since)]))))
  }
  if (r.pending.length > 0) {
    const n = r.pendingTotal ?? r.pending.length
    lines.push(`${n} pending action${n === 1 ? '' : 's'}${more(r.pending.length, r.pendingTotal)}`)
    lines.push(indent(table(['KEY', 'ACTION', 'AT'], r.pending.map(p => [p.key.replaceAll('\t', ' '), `${p.filter}.${p.action}`, until(p.due, now)]))))
  }
  for (const st of r.streams ?? []) {
    const missing = (st.missing ?? []).length > 0 ? `, no file at ${st.missing!.join(', ')}` : ''
    const err = st.lastError === undefined ? '' : `, last error ${st.lastError.kind}: ${st.lastError.message} at ${isoTime(st.lastError.at)}`
    lines.push(`stream ${st.stream} (${st.kind}): ${st.state}${missing}${err}${st.restarts > 0 ? `, ${st.restarts} restarts` : ''}`)
  }
  return lines.join('\n')
}

export function renderOne (e: ShowOne, now: number): string {
  const lines: string[] = []
  if (e.protected !== null) {
    // the classes a router may want to ban (its LAN clients) say how
    const hint = ['private', 'cgnat', 'ula'].includes(e.protected) ? `; set \`neverBan: {${e.protected}: false}\` to ban such addresses` : ''
    lines.push(`${e.key} is protected (${e.protected}): never banned here${hint}`)
  }
  if (e.ban !== undefined && e.contains !== undefined) {
    const b = e.ban
    lines.push(`${e.contains} is inside ${e.key}, banned since ${isoTime(b.since)} until ${until(b.until, now)}`,
      `  filter ${b.filter}, origin ${b.origin}, escalation level ${b.level}, reporters: ${reporters(b.reporters)}${b.reason !== undefined ? `, reason: ${b.reason}` : ''}`)
  } else if (e.ban !== undefined) {
    const b = e.ban
    lines.push(`${e.key} banned since ${isoTime(b.since)} until ${until(b.until, now)}`,
      `  filter ${b.filter}, origin ${b.origin}, escalation level ${b.level}, reporters: ${reporters(b.reporters)}${b.reason !== undefined ? `, reason: ${b.reason}` : ''}`)
  } else {
    lines.push(`${e.key} is not banned`)
  }
  if (e.offence !== undefined) lines.push(`  offences: ${e.offence.count}, last ban ${formatDuration(e.offence.lastDuration)} at ${isoTime(e.offence.lastAt)}`)
  if (e.votes.length > 0) {
    lines.push('  votes:')
    for (const v of e.votes) lines.push(`    ${v.author === 'self' ? 'self' : v.author}  weight ${v.weight}${v.shadow === true ? ' (shadow)' : ''}  ${v.filter}  ${v.count} match${v.count === 1 ? '' : 'es'}  at ${isoTime(v.observedAt)}`)
  }
  for (const c of e.counters) lines.push(`  counting: ${c.filter} ${c.count}/${c.retry} since ${isoTime(c.since)}`)
  for (const p of e.pending) lines.push(`  pending action: ${p.filter}.${p.action} at ${until(p.due, now)}`)
  if (e.decisions.length > 0) {
    lines.push('  history:')
    for (const d of e.decisions) lines.push(`    ${isoTime(d.at)} ${d.kind} (${d.why})${d.until !== undefined ? ` until ${isoTime(d.until)}` : ''}`)
  }
  return lines.join('\n')
}

import { formatDuration, isoTime } from '../common/duration.ts'
import type { Ban } from '../common/model.ts'
import type { CounterInfo, StreamStatus } from '../detect/types.ts'
import type { Explanation } from '../decide/index.ts'
import type { GlobalOptions } from './main.ts'
import { ask, out } from './context.ts'

interface ShowAll {
  bans: Ban[]
  counters: CounterInfo[]
  pending: Array<{ filter: string, key: string, action: string, due: number }>
  /** all bans, of which a page came (absent from daemons that answered in one piece) */
  total?: number
  countersTotal?: number
  pendingTotal?: number
  /** streams retrying after errors or waiting for a missing file or glob (absent from older daemons) */
  streams?: StreamStatus[]
}

// one bounded page per request: the daemon answers other clients between pages
async function showAll (g: GlobalOptions): Promise<ShowAll> {
  const first = await ask(g, 'show', { offset: 0 }) as ShowAll
  const bans = [...first.bans]
  while (first.total !== undefined && bans.length < first.total) {
    const page = await ask(g, 'show', { offset: bans.length }) as ShowAll
    if (page.bans.length === 0) break
    bans.push(...page.bans)
  }
  return { ...first, bans, total: bans.length }
}
type ShowOne = Explanation & { counters: CounterInfo[], pending: ShowAll['pending'] }

export async function commandShow (g: GlobalOptions, ip: string | undefined, o: { json?: boolean }): Promise<void> {
  const result = ip === undefined ? await showAll(g) : await ask(g, 'show', { ip })
  if (o.json === true) { out(JSON.stringify(result, null, 2)); return }
  const now = Date.now()
  out(ip === undefined ? renderAll(result as ShowAll, now) : renderOne(result as ShowOne, now))
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
  for (const b of bans) {
    lines.push(`  ${(b.ip ?? b.key).padEnd(28)} ${b.origin.padEnd(7)} ${b.filter.padEnd(24)} until ${until(b.until, now)}` +
      `${b.level > 0 ? `  level ${b.level}` : ''}  by ${reporters(b.reporters)}${b.firewall ? '' : '  (actions only)'}`)
  }
  const more = (shown: number, total: number | undefined): string => total !== undefined && total > shown ? ` (first ${shown} shown)` : ''
  if (r.counters.length > 0) {
    const n = r.countersTotal ?? r.counters.length
    lines.push(`${n} pending counter${n === 1 ? '' : 's'}${more(r.counters.length, r.countersTotal)}`)
    for (const c of r.counters) lines.push(`  ${c.key.padEnd(28)} ${c.filter.padEnd(24)} ${c.count}/${c.retry} since ${isoTime(c.since)}`)
  }
  if (r.pending.length > 0) {
    const n = r.pendingTotal ?? r.pending.length
    lines.push(`${n} pending action${n === 1 ? '' : 's'}${more(r.pending.length, r.pendingTotal)}`)
    for (const p of r.pending) lines.push(`  ${p.key.padEnd(28)} ${p.filter}.${p.action} at ${until(p.due, now)}`)
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
  if (e.ban !== undefined) {
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

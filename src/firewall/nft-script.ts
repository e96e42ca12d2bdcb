import type { Hook } from '../config/types.ts'
import type { ParsedSubject } from '../common/ip.ts'
import { banSetOf, dropCovered, timeoutSeconds, type FirewallOp } from './ops.ts'

/**
 * nft scripts (`nft -f -` text). Addresses go to hash sets (`ban4`/`ban6`: one more element costs
 * ~4 ms at 100k), prefixes to interval sets (`bannet4`/`bannet6`: ~0.8 s per element at 100k,
 * so only prefixes go there). Allow sets use auto-merge: they are replaced whole, never edited
 * element by element.
 */
const CHUNK = 1000

export interface TimedSubject { subject: ParsedSubject, until: number }

function elementLines (table: string, set: string, items: string[]): string[] {
  const lines: string[] = []
  for (let i = 0; i < items.length; i += CHUNK) {
    lines.push(`add element inet ${table} ${set} { ${items.slice(i, i + CHUNK).join(', ')} }`)
  }
  return lines
}

function bySet<T extends { subject: ParsedSubject }> (
  items: readonly T[],
  setOf: (s: ParsedSubject) => string
): Map<string, T[]> {
  const m = new Map<string, T[]>()
  for (const it of items) {
    const k = setOf(it.subject)
    let l = m.get(k)
    if (l === undefined) m.set(k, (l = []))
    l.push(it)
  }
  return m
}

function allowLines (table: string, allow: readonly ParsedSubject[]): string[] {
  const lines: string[] = []
  for (const fam of [4, 6] as const) {
    const items = allow.filter(a => a.family === fam).map(a => a.text)
    lines.push(...elementLines(table, `allow${fam}`, items))
  }
  return lines
}

/**
 * The whole table in one transaction. `add table` + `delete table` first makes the delete valid
 * whether or not a previous run left the table (kill -9); the kernel swaps old for new at commit,
 * so packets never see a moment without bans.
 */
export function fullTableScript (table: string, hooks: readonly Hook[], bans: readonly TimedSubject[],
  allow: readonly ParsedSubject[], now: number): string {
  const chains = hooks.map(h => [
    `  chain ${h} {`,
    `    type filter hook ${h} priority -10; policy accept;`,
    '    ip saddr @allow4 accept',
    '    ip6 saddr @allow6 accept',
    '    ip saddr @ban4 drop',
    '    ip saddr @bannet4 drop',
    '    ip6 saddr @ban6 drop',
    '    ip6 saddr @bannet6 drop',
    '  }'
  ].join('\n'))
  const lines = [
    `add table inet ${table}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    '  set ban4 { type ipv4_addr; flags timeout; }',
    '  set ban6 { type ipv6_addr; flags timeout; }',
    '  set bannet4 { type ipv4_addr; flags interval,timeout; }',
    '  set bannet6 { type ipv6_addr; flags interval,timeout; }',
    '  set allow4 { type ipv4_addr; flags interval; auto-merge; }',
    '  set allow6 { type ipv6_addr; flags interval; auto-merge; }',
    ...chains,
    '}'
  ]
  const best = new Map<string, TimedSubject>()
  for (const b of bans) {
    if (b.until <= now) continue
    const prev = best.get(b.subject.text)
    if (prev === undefined || prev.until < b.until) best.set(b.subject.text, b)
  }
  for (const [set, items] of bySet(dropCovered([...best.values()]), banSetOf)) {
    lines.push(
      ...elementLines(
        table,
        set,
        items.map(b => `${b.subject.text} timeout ${timeoutSeconds(b.until, now)}s`)
      )
    )
  }
  lines.push(...allowLines(table, allow))
  return lines.join('\n') + '\n'
}

/**
 * Element changes for a batch (already coalesced: one op per subject). Each touched element is
 * added bare then deleted — `delete element` of an absent element fails the whole transaction,
 * `add` of a present one is a no-op — and bans are added back with their new timeout, which
 * also extends an existing ban (`add` alone would keep the old timeout).
 */
export function changeScript (table: string, ops: readonly FirewallOp[], now: number): string {
  const lines: string[] = []
  for (const [set, items] of bySet(ops, banSetOf)) {
    const all = items.map(o => o.subject.text)
    lines.push(...elementLines(table, set, all))
    lines.push(...elementLines(table, set, all).map(l => 'delete' + l.slice('add'.length)))
    const bans = items.flatMap(o => o.kind === 'ban' ? [`${o.subject.text} timeout ${timeoutSeconds(o.until, now)}s`] : [])
    lines.push(...elementLines(table, set, bans))
  }
  return lines.join('\n') + '\n'
}

export function setAllowScript (table: string, allow: readonly ParsedSubject[]): string {
  return [`flush set inet ${table} allow4`, `flush set inet ${table} allow6`, ...allowLines(table, allow)].join('\n') + '\n'
}

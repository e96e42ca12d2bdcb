import type { Hook } from '../config/types.ts'
import type { ParsedSubject } from '../common/ip.ts'
import { banSetOf, dropCovered, opsBySet, timeoutSeconds, type FirewallOp } from './ops.ts'
import { nftMatch, UNSCOPED, type ScopeRef } from './scope.ts'

/**
 * nft scripts (`nft -f -` text). Addresses go to hash sets (`ban4`/`ban6`: one more element costs
 * ~4 ms at 100k), prefixes to interval sets (`bannet4`/`bannet6`: ~0.8 s per element at 100k,
 * so only prefixes go there). Allow sets use auto-merge: they are replaced whole, never edited
 * element by element. A scope (src/firewall/scope.ts) has the same four ban sets, suffixed with
 * its id, and four rules per hook chain after the unscoped ones, matching its protocols and ports.
 */
const CHUNK = 1000

export interface TimedSubject { subject: ParsedSubject, until: number, scope: ScopeRef }

const SET_TYPES = [
  ['ban4', 'ipv4_addr', 'timeout'], ['ban6', 'ipv6_addr', 'timeout'],
  ['bannet4', 'ipv4_addr', 'interval,timeout'], ['bannet6', 'ipv6_addr', 'interval,timeout']
] as const

function suffix (ref: ScopeRef): string {
  return ref.id === '' ? '' : `_${ref.id}`
}

/** `set ban4_<id> { … }` bodies of a scope (inside a table block or after `add set inet T `) */
function scopeSets (ref: ScopeRef): string[] {
  return SET_TYPES.map(([name, type, flags]) => `${name}${suffix(ref)} { type ${type}; flags ${flags}; }`)
}

/** the drop rules of a scope's sets, as rule bodies */
function scopeRules (ref: ScopeRef): string[] {
  const match = ref.scope === undefined ? '' : nftMatch(ref.scope) + ' '
  const sfx = suffix(ref)
  return [`${match}ip saddr @ban4${sfx} drop`, `${match}ip saddr @bannet4${sfx} drop`,
    `${match}ip6 saddr @ban6${sfx} drop`, `${match}ip6 saddr @bannet6${sfx} drop`]
}

/** the rules each hook chain holds: two allow, four unscoped ban, four per scope */
export function rulesPerChain (scopes: number): number {
  return 6 + 4 * scopes
}

/** Set names of the table: allow and unscoped ban sets, then each scope's. */
export function tableSets (scopes: readonly ScopeRef[]): string[] {
  return ['allow4', 'allow6', ...[UNSCOPED, ...scopes].flatMap(r => SET_TYPES.map(([n]) => `${n}${suffix(r)}`))]
}

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
  allow: readonly ParsedSubject[], now: number, scopes: readonly ScopeRef[] = []): string {
  const refs = [UNSCOPED, ...scopes]
  const chains = hooks.map(h => [
    `  chain ${h} {`,
    `    type filter hook ${h} priority -10; policy accept;`,
    '    ip saddr @allow4 accept',
    '    ip6 saddr @allow6 accept',
    ...refs.flatMap(scopeRules).map(r => `    ${r}`),
    '  }'
  ].join('\n'))
  const lines = [
    `add table inet ${table}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    ...refs.flatMap(scopeSets).map(l => `  set ${l}`),
    '  set allow4 { type ipv4_addr; flags interval; auto-merge; }',
    '  set allow6 { type ipv6_addr; flags interval; auto-merge; }',
    ...chains,
    '}'
  ]
  // per scope: its longest ban of each subject, prefixes inside another of the same set left out
  const best = new Map<string, { ref: ScopeRef, m: Map<string, TimedSubject> }>()
  for (const b of bans) {
    if (b.until <= now) continue
    let g = best.get(b.scope.key)
    if (g === undefined) best.set(b.scope.key, (g = { ref: b.scope, m: new Map() }))
    const prev = g.m.get(b.subject.text)
    if (prev === undefined || prev.until < b.until) g.m.set(b.subject.text, b)
  }
  for (const { ref, m } of best.values()) {
    for (const [set, items] of bySet(dropCovered([...m.values()]), s => banSetOf(s, ref))) {
      lines.push(...elementLines(table, set, items.map(b => `${b.subject.text} timeout ${timeoutSeconds(b.until, now)}s`)))
    }
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
export function changeScript (table: string, ops: readonly FirewallOp[], now: number,
  scopes: { known: readonly ScopeRef[], added: readonly ScopeRef[], hooks: readonly Hook[] } =
  { known: [], added: [], hooks: [] }): string {
  const lines: string[] = []
  // a scope first seen in this batch gets its sets and rules in the same transaction
  for (const ref of scopes.added) {
    lines.push(...scopeSets(ref).map(l => `add set inet ${table} ${l}`))
    for (const h of scopes.hooks) lines.push(...scopeRules(ref).map(r => `add rule inet ${table} ${h} ${r}`))
  }
  const every = [UNSCOPED, ...scopes.known, ...scopes.added]
  for (const [set, bySubject] of opsBySet(ops, every, banSetOf)) {
    const items = [...bySubject.values()]
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

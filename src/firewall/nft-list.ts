import { parseSubject } from '../common/ip.ts'
import type { FirewallBan } from './types.ts'

/**
 * Reads the ban sets out of `nft -j list table inet T`. nft reports `expires` in whole seconds
 * (truncated), so `until` may be up to a second early; reconcile tolerates that.
 * An element without a timeout (someone added it by hand) is reported with
 * until = Number.MAX_SAFE_INTEGER so that reconcile sees the difference and fixes it.
 */
const BAN_SETS = new Set(['ban4', 'ban6', 'bannet4', 'bannet6'])

interface JsonPrefix { prefix: { addr: string, len: number } }
type JsonVal = string | JsonPrefix | Record<string, unknown>
type JsonElem = JsonVal | { elem: { val: JsonVal, expires?: number, timeout?: number } }

function valText (v: JsonVal): string | null {
  if (typeof v === 'string') return v
  const p = (v as Partial<JsonPrefix>).prefix
  if (p !== undefined && typeof p.addr === 'string' && typeof p.len === 'number') return `${p.addr}/${p.len}`
  return null
}

const ALL_SETS = ['ban4', 'ban6', 'bannet4', 'bannet6', 'allow4', 'allow6']
/** rules each hook chain holds (fullTableScript): two allow, four ban */
const RULES_PER_CHAIN = 6

/**
 * False when the table lost a set, a hook chain or a chain's rules (`nft flush table` keeps the
 * elements but drops every rule: the bans would be listed yet enforce nothing).
 */
export function nftTableIntact (json: string, hooks: readonly string[]): boolean {
  const doc = JSON.parse(json) as { nftables?: Array<Record<string, { name?: string, chain?: string, hook?: string }>> }
  const sets = new Set<string>()
  const chains = new Set<string>()
  const rules = new Map<string, number>()
  for (const item of doc.nftables ?? []) {
    if (item.set?.name !== undefined) sets.add(item.set.name)
    if (item.chain?.hook !== undefined && item.chain.name !== undefined) chains.add(item.chain.name)
    if (item.rule?.chain !== undefined) rules.set(item.rule.chain, (rules.get(item.rule.chain) ?? 0) + 1)
  }
  return ALL_SETS.every(n => sets.has(n)) && hooks.every(h => chains.has(h) && rules.get(h) === RULES_PER_CHAIN)
}

export function parseNftBans (json: string, now: number): FirewallBan[] {
  const doc = JSON.parse(json) as { nftables?: Array<Record<string, unknown>> }
  const out: FirewallBan[] = []
  for (const item of doc.nftables ?? []) {
    const set = item.set as { name?: string, elem?: JsonElem[] } | undefined
    if (set === undefined || set.name === undefined || !BAN_SETS.has(set.name)) continue
    for (const e of set.elem ?? []) {
      const wrapped = typeof e === 'object' && 'elem' in e ? (e as { elem: { val: JsonVal, expires?: number } }).elem : null
      const text = valText(wrapped === null ? e as JsonVal : wrapped.val)
      const subject = text === null ? null : parseSubject(text)
      if (subject === null) continue
      const expires = wrapped?.expires
      out.push({ subject: subject.text, until: typeof expires === 'number' ? now + expires * 1000 : Number.MAX_SAFE_INTEGER })
    }
  }
  return out
}

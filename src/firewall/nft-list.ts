import { parseSubject } from '../common/ip.ts'
import type { FirewallBan } from './types.ts'
import { rulesPerChain, tableSets } from './nft-script.ts'
import type { ScopeRef } from './scope.ts'

/**
 * Reads the ban sets out of `nft -j list table inet T`. nft reports `expires` in whole seconds
 * (truncated), so `until` may be up to a second early; reconcile tolerates that.
 * An element without a timeout (someone added it by hand) is reported with
 * until = Number.MAX_SAFE_INTEGER so that reconcile sees the difference and fixes it.
 */
const BAN_SET = /^(?:ban|bannet)[46](?:_([0-9a-f]{8}))?$/

interface JsonPrefix { prefix: { addr: string, len: number } }
type JsonVal = string | JsonPrefix | Record<string, unknown>
type JsonElem = JsonVal | { elem: { val: JsonVal, expires?: number, timeout?: number } }

function valText (v: JsonVal): string | null {
  if (typeof v === 'string') return v
  const p = (v as Partial<JsonPrefix>).prefix
  if (p !== undefined && typeof p.addr === 'string' && typeof p.len === 'number') return `${p.addr}/${p.len}`
  return null
}

/**
 * False when the table lost a set, a hook chain or a chain's rules (`nft flush table` keeps the
 * elements but drops every rule: the bans would be listed yet enforce nothing). `scopes`: the
 * scoped sets this backend made.
 */
export function nftTableIntact (json: string, hooks: readonly string[], scopes: readonly ScopeRef[] = []): boolean {
  const doc = JSON.parse(json) as { nftables?: Array<Record<string, { name?: string, chain?: string, hook?: string }>> }
  const sets = new Set<string>()
  const chains = new Set<string>()
  const rules = new Map<string, number>()
  for (const item of doc.nftables ?? []) {
    if (item.set?.name !== undefined) sets.add(item.set.name)
    if (item.chain?.hook !== undefined && item.chain.name !== undefined) chains.add(item.chain.name)
    if (item.rule?.chain !== undefined) rules.set(item.rule.chain, (rules.get(item.rule.chain) ?? 0) + 1)
  }
  const perChain = rulesPerChain(scopes.length)
  return tableSets(scopes).every(n => sets.has(n)) && hooks.every(h => chains.has(h) && rules.get(h) === perChain)
}

/** Elements of the ban sets, each with its scope; sets of a scope not in `scopes` are not ours and left out. */
export function parseNftBans (json: string, now: number, scopes: readonly ScopeRef[] = []): FirewallBan[] {
  const doc = JSON.parse(json) as { nftables?: Array<Record<string, unknown>> }
  const byId = new Map(scopes.map(r => [r.id, r]))
  const out: FirewallBan[] = []
  for (const item of doc.nftables ?? []) {
    const set = item.set as { name?: string, elem?: JsonElem[] } | undefined
    const m = set?.name === undefined ? null : BAN_SET.exec(set.name)
    if (set === undefined || m === null) continue
    const ref = m[1] === undefined ? undefined : byId.get(m[1])
    if (m[1] !== undefined && ref === undefined) continue
    for (const e of set.elem ?? []) {
      const wrapped = typeof e === 'object' && 'elem' in e ? (e as { elem: { val: JsonVal, expires?: number } }).elem : null
      const text = valText(wrapped === null ? e as JsonVal : wrapped.val)
      const subject = text === null ? null : parseSubject(text)
      if (subject === null) continue
      const expires = wrapped?.expires
      out.push({
        subject: subject.text,
        until: typeof expires === 'number' ? now + expires * 1000 : Number.MAX_SAFE_INTEGER,
        ...(ref?.scope === undefined ? {} : { scope: ref.scope })
      })
    }
  }
  return out
}

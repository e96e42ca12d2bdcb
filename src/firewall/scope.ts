import { createHash } from 'node:crypto'
import { ErrorCodes, palisadeError } from '../common/errors.ts'
import type { BanScope, PortProtocol } from '../config/types.ts'

/**
 * Ban scopes in the kernel: each distinct scope (a filter's `ports:` / `protocol:`) gets its own
 * sets and rules, so an address banned by a scoped filter is dropped only on those ports, while
 * the unscoped sets (every ban without a scope: remote, manual, a filter without `ports:`) drop
 * everything. A scope's set names carry a short hash of its canonical text: the same scope gets
 * the same sets in every run, so a table left by a previous run is adopted, and the names fit
 * ipset's 31 characters.
 */
export interface ScopeRef {
  /** canonical text (`tcp:22,8000-8100`); '' for the unscoped sets */
  key: string
  /** 8 hex digits of the key's SHA-256; '' for the unscoped sets */
  id: string
  scope?: BanScope
}

export const UNSCOPED: ScopeRef = Object.freeze({ key: '', id: '' })

const PROTOCOLS = new Set<string>(['tcp', 'udp', 'sctp'])

/**
 * Checked scopes by identity: the scopes of a burst are the configuration's few frozen objects,
 * and checking and hashing one costs ~4.5 µs, four times per decision. A pure memo (weakly held,
 * frozen keys only), so two daemons in one process share nothing that could differ.
 */
const checked = new WeakMap<BanScope, ScopeRef>()

/**
 * Validates again what goes into an nft or iptables script (the firewall is the last place where
 * a bad value could become a token) and returns the scope's reference.
 */
export function scopeRef (scope: BanScope | undefined): ScopeRef {
  if (scope === undefined) return UNSCOPED
  const known = checked.get(scope)
  if (known !== undefined) return known
  const ref = check(scope)
  // a key that could still change must be checked again next time
  if (Object.isFrozen(scope) && Object.isFrozen(scope.protocols) && Object.isFrozen(scope.ports) &&
    scope.ports.every(r => Object.isFrozen(r))) checked.set(scope, ref)
  checked.set(ref.scope!, ref)
  return ref
}

function check (scope: BanScope): ScopeRef {
  const okProto = Array.isArray(scope.protocols) && scope.protocols.length > 0 &&
    scope.protocols.every(p => PROTOCOLS.has(p))
  const okPorts = Array.isArray(scope.ports) && scope.ports.every(r => Array.isArray(r) && r.length === 2 &&
    r.every(n => Number.isInteger(n) && n >= 1 && n <= 65535) && r[0] <= r[1])
  if (!okProto || !okPorts) {
    throw palisadeError(ErrorCodes.CONFIG_INVALID, `firewall: not a ban scope: ${JSON.stringify(scope)}`)
  }
  const protocols = [...new Set(scope.protocols)].sort() as PortProtocol[]
  const ports = [...scope.ports].map(r => [r[0], r[1]] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1])
  const key = `${protocols.join(',')}:${ports.map(([lo, hi]) => lo === hi ? `${lo}` : `${lo}-${hi}`).join(',')}`
  const id = createHash('sha256').update(key).digest('hex').slice(0, 8)
  return Object.freeze({ key, id, scope: deepFreezeScope({ protocols, ports }) })
}

function deepFreezeScope (s: BanScope): BanScope {
  for (const r of s.ports) Object.freeze(r)
  Object.freeze(s.ports)
  Object.freeze(s.protocols)
  return Object.freeze(s)
}

/** Port entries as text, ranges joined with `sep` (nft: `-`, iptables multiport: `:`). */
export function portTexts (scope: BanScope, sep: '-' | ':'): string[] {
  return scope.ports.map(([lo, hi]) => lo === hi ? `${lo}` : `${lo}${sep}${hi}`)
}

/** The traffic match of a scope's nft rule (`meta l4proto tcp th dport { 22, 2222 }`). */
export function nftMatch (scope: BanScope): string {
  const proto = scope.protocols.length === 1 ? scope.protocols[0] : `{ ${scope.protocols.join(', ')} }`
  const ports = scope.ports.length === 0 ? '' : ` th dport { ${portTexts(scope, '-').join(', ')} }`
  return `meta l4proto ${proto}${ports}`
}

/** A scope as the command backend's `<ports>` and `<protocol>` show it: `all` when unrestricted. */
export function scopeWords (scope: BanScope | undefined): { ports: string, protocol: string } {
  if (scope === undefined) return { ports: 'all', protocol: 'all' }
  return {
    ports: scope.ports.length === 0 ? 'all' : portTexts(scope, '-').join(','),
    protocol: scope.protocols.join(',')
  }
}

/** Distinct scoped references of a list (the unscoped one left out), in first-seen order. */
export function distinctScopes (refs: Iterable<ScopeRef>): ScopeRef[] {
  const seen = new Map<string, ScopeRef>()
  for (const r of refs) if (r.key !== '' && !seen.has(r.key)) seen.set(r.key, r)
  return [...seen.values()]
}

import { ErrorCodes, palisadeError } from '../common/errors.ts'
import { maskIp, parseSubject, type ParsedSubject } from '../common/ip.ts'
import type { FirewallBan } from './types.ts'
import type { BanScope, Hook } from '../config/types.ts'
import { scopeRef, type ScopeRef } from './scope.ts'

/**
 * Validation and coalescing shared by the backends. Every subject is re-parsed with
 * common/ip.ts before it can reach a command line or an nft script: the firewall is the last
 * place where a malformed string could become an injected token.
 */
export type FirewallOp =
  | { kind: 'ban', subject: ParsedSubject, until: number, scope: ScopeRef }
  /** scope null: out of every scope's sets */
  | { kind: 'unban', subject: ParsedSubject, scope: ScopeRef | null }

export function parseOrThrow (text: string): ParsedSubject {
  const p = parseSubject(text)
  if (p === null) throw palisadeError(ErrorCodes.IP_INVALID, `firewall: not an IP address or prefix: ${JSON.stringify(text)}`)
  return p
}

export function banOps (bans: readonly FirewallBan[]): FirewallOp[] {
  return bans.map(b => ({ kind: 'ban', subject: parseOrThrow(b.subject), until: b.until, scope: scopeRef(b.scope) }))
}

/** `only` given: out of that one scope's sets (only.scope undefined: the unscoped ones); else out of all. */
export function unbanOps (subjects: readonly string[], only?: { scope?: BanScope }): FirewallOp[] {
  const scope = only === undefined ? null : scopeRef(only.scope)
  return subjects.map(s => ({ kind: 'unban', subject: parseOrThrow(s), scope }))
}

/** A backend's bans as (subject, until, scope): start() and reconfigure() input. */
export function timedBans (
  bans: readonly FirewallBan[]
): Array<{ subject: ParsedSubject, until: number, scope: ScopeRef }> {
  return banOps(bans).flatMap(o => (o.kind === 'ban' ? [{ subject: o.subject, until: o.until, scope: o.scope }] : []))
}

/** Remaining kernel timeout in whole seconds, at least 1 (a timeout of 0 would mean "never"), at most `max`. */
export function timeoutSeconds (until: number, now: number, max = Infinity): number {
  return Math.min(max, Math.max(1, Math.ceil((until - now) / 1000)))
}

/**
 * ipset refuses a timeout above 2,147,483 s (~24.8 days), and one such line fails the whole
 * restore: longer bans go in with the maximum, and reconcile renews them before it runs out.
 */
export const IPSET_MAX_TIMEOUT = 2_147_483

/**
 * Last op per subject and scope wins: `ban X; unban X` in one batch leaves X unbanned, as the
 * calls meant. An unban out of every scope replaces whatever came before it for that subject;
 * scoped ops after it stay after it.
 */
export function coalesce (ops: readonly FirewallOp[]): FirewallOp[] {
  const bySubject = new Map<string, FirewallOp[]>()
  for (const op of ops) {
    const key = op.subject.text
    let list = bySubject.get(key)
    if (op.scope === null || list === undefined) {
      bySubject.delete(key)
      bySubject.set(key, [op])
      continue
    }
    const scopeKey = op.scope.key
    list = list.filter(o => o.scope === null || o.scope.key !== scopeKey)
    list.push(op)
    bySubject.set(key, list)
  }
  return [...bySubject.values()].flat()
}

/**
 * Per kernel set, the final op of each subject: an unban out of every scope touches the sets of
 * every scope in `known` (the unscoped ones included).
 */
export function opsBySet (ops: readonly FirewallOp[], known: readonly ScopeRef[],
  setOf: (s: ParsedSubject, scope: ScopeRef) => string): Map<string, Map<string, FirewallOp>> {
  const out = new Map<string, Map<string, FirewallOp>>()
  for (const op of ops) {
    for (const ref of op.scope === null ? known : [op.scope]) {
      const set = setOf(op.subject, ref)
      let m = out.get(set)
      if (m === undefined) out.set(set, (m = new Map()))
      m.delete(op.subject.text)
      m.set(op.subject.text, op)
    }
  }
  return out
}

/** Set name for a subject in a scope: ban4, ban6, bannet4, bannet6, with `_<scope id>` for a scope. */
export function banSetOf (s: ParsedSubject, scope?: ScopeRef): string {
  const id = scope?.id ?? ''
  return `${s.isPrefix ? 'bannet' : 'ban'}${s.family}${id === '' ? '' : '_' + id}`
}

/** True when `inner` lies inside prefix `outer` (same family, shorter or equal length). */
export function contains (outer: ParsedSubject, inner: ParsedSubject): boolean {
  if (!outer.isPrefix || outer.family !== inner.family || outer.prefixLength > inner.prefixLength) return false
  return maskIp(inner.address, outer.prefixLength) === outer.text
}

/**
 * Drop prefixes contained in another prefix of the list (an nft interval set refuses overlaps).
 * The covering prefix enforces the inner one while it lasts; reconcile re-adds the inner one
 * if it outlives the outer one.
 */
export function dropCovered<T extends { subject: ParsedSubject, until: number }> (bans: T[]): T[] {
  const prefixes = bans.filter(b => b.subject.isPrefix).sort((a, b) => a.subject.prefixLength - b.subject.prefixLength)
  const kept: ParsedSubject[] = []
  const dropped = new Set<string>()
  for (const b of prefixes) {
    if (kept.some(k => k.text !== b.subject.text && contains(k, b.subject))) dropped.add(b.subject.text)
    else kept.push(b.subject)
  }
  return dropped.size === 0 ? bans : bans.filter(b => !dropped.has(b.subject.text))
}

/** Table / ipset prefix names go into scripts: letters, digits, `_` and `-` only. */
export function checkTableName (name: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,15}$/.test(name)) {
    throw palisadeError(ErrorCodes.CONFIG_INVALID,
      `firewall.table: ${JSON.stringify(name)} must be 1-16 letters, digits, "_" or "-", starting with a letter`)
  }
  return name
}

/** Hook names become chain names in scripts: only the known ones pass; none given means input. */
export function checkHooks (hooks: readonly string[]): Hook[] {
  for (const h of hooks) {
    if (h !== 'input' && h !== 'forward') throw palisadeError(ErrorCodes.CONFIG_INVALID, `firewall.hooks: unknown hook ${JSON.stringify(h)} (known: input, forward)`)
  }
  return hooks.length === 0 ? ['input'] : [...new Set(hooks)] as Hook[]
}

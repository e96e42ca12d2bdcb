import { ErrorCodes, palisadeError } from '../common/errors.ts'
import { maskIp, parseSubject, type ParsedSubject } from '../common/ip.ts'
import type { FirewallBan } from './types.ts'
import type { Hook } from '../config/types.ts'

/**
 * Validation and coalescing shared by the backends. Every subject is re-parsed with
 * common/ip.ts before it can reach a command line or an nft script: the firewall is the last
 * place where a malformed string could become an injected token.
 */
export type FirewallOp =
  | { kind: 'ban', subject: ParsedSubject, until: number }
  | { kind: 'unban', subject: ParsedSubject }

export function parseOrThrow (text: string): ParsedSubject {
  const p = parseSubject(text)
  if (p === null) throw palisadeError(ErrorCodes.IP_INVALID, `firewall: not an IP address or prefix: ${JSON.stringify(text)}`)
  return p
}

export function banOps (bans: readonly FirewallBan[]): FirewallOp[] {
  return bans.map(b => ({ kind: 'ban', subject: parseOrThrow(b.subject), until: b.until }))
}

export function unbanOps (subjects: readonly string[]): FirewallOp[] {
  return subjects.map(s => ({ kind: 'unban', subject: parseOrThrow(s) }))
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

/** Last op per subject wins: `ban X; unban X` in one batch leaves X unbanned, as the calls meant. */
export function coalesce (ops: readonly FirewallOp[]): FirewallOp[] {
  const last = new Map<string, FirewallOp>()
  for (const op of ops) {
    last.delete(op.subject.text)
    last.set(op.subject.text, op)
  }
  return [...last.values()]
}

/** Set suffix for a subject: ban4, ban6, bannet4, bannet6. */
export function banSetOf (s: ParsedSubject): string {
  return `${s.isPrefix ? 'bannet' : 'ban'}${s.family}`
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
export function dropCovered (
  bans: Array<{ subject: ParsedSubject; until: number }>
): Array<{ subject: ParsedSubject; until: number }> {
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

import type { ParsedSubject } from '../common/ip.ts'
import { parseSubject } from '../common/ip.ts'
import type { FirewallBan } from './types.ts'
import { IPSET_MAX_TIMEOUT, opsBySet, timeoutSeconds, type FirewallOp } from './ops.ts'
import type { TimedSubject } from './nft-script.ts'
import { UNSCOPED, type ScopeRef } from './scope.ts'

/**
 * `ipset restore` scripts for the iptables backend. hash:net sets hold addresses and prefixes
 * alike (overlaps are fine there). The default maxelem (65,536) is too small for a collective's
 * blocklist, hence 1,048,576. A scope's sets are `<table>-b4-<id>` / `<table>-b6-<id>`: at most 28
 * characters with a 16-character table, 30 with the `-n` of a swap, under ipset's 31.
 */
export interface IpsetNames { ban4: string, ban6: string, allow4: string, allow6: string }

export function ipsetNames (table: string): IpsetNames {
  return { ban4: `${table}-ban4`, ban6: `${table}-ban6`, allow4: `${table}-allow4`, allow6: `${table}-allow6` }
}

/** The ban set of a family in a scope. */
export function scopedSet (names: IpsetNames, fam: 4 | 6, ref: ScopeRef): string {
  if (ref.id === '') return fam === 4 ? names.ban4 : names.ban6
  return `${names.ban4.slice(0, -'-ban4'.length)}-b${fam}-${ref.id}`
}

/** `ipset -exist restore` lines creating a scope's sets (a no-op for sets that exist) */
export function ipsetCreateScopes (names: IpsetNames, refs: readonly ScopeRef[]): string {
  return refs.flatMap(r => [createLine(scopedSet(names, 4, r), 4, true), createLine(scopedSet(names, 6, r), 6, true)])
    .join('\n') + '\n'
}

function createLine (name: string, family: 4 | 6, timeout: boolean): string {
  return `create ${name} hash:net family ${family === 4 ? 'inet' : 'inet6'}${timeout ? ' timeout 0' : ''} maxelem 1048576`
}

/**
 * Fill a fresh `<name>-n` set then `swap` it with the live one: each set changes atomically, so
 * adopting a previous run's sets never opens a window without bans.
 */
function swapFill (name: string, family: 4 | 6, timeout: boolean, adds: string[]): string[] {
  const tmp = `${name}-n`
  return [
    createLine(name, family, timeout),
    createLine(tmp, family, timeout),
    `flush ${tmp}`,
    ...adds.map(a => `add ${tmp} ${a}`),
    `swap ${tmp} ${name}`,
    `destroy ${tmp}`
  ]
}

export function ipsetStartScript (
  names: IpsetNames,
  bans: readonly TimedSubject[],
  allow: readonly ParsedSubject[],
  now: number,
  scopes: readonly ScopeRef[] = []
): string {
  const live = bans.filter(b => b.until > now)
  const banAdds = (fam: 4 | 6, ref: ScopeRef): string[] =>
    live
      .filter(b => b.subject.family === fam && b.scope.key === ref.key)
      .map(b => `${b.subject.text} timeout ${timeoutSeconds(b.until, now, IPSET_MAX_TIMEOUT)}`)
  const allowAdds = (fam: 4 | 6): string[] => allow.filter(a => a.family === fam).map(a => a.text)
  return (
    [
      ...[UNSCOPED, ...scopes].flatMap(r => [
        ...swapFill(scopedSet(names, 4, r), 4, true, banAdds(4, r)),
        ...swapFill(scopedSet(names, 6, r), 6, true, banAdds(6, r))
      ]),
      ...swapFill(names.allow4, 4, false, allowAdds(4)),
      ...swapFill(names.allow6, 6, false, allowAdds(6))
    ].join('\n') + '\n'
  )
}

/**
 * run with `ipset -exist restore`: `add` updates the timeout of a present element, `del` of an absent one is a
 * no-op
 */
export function ipsetChangeScript (names: IpsetNames, ops: readonly FirewallOp[], now: number,
  scopes: readonly ScopeRef[] = []): string {
  const lines: string[] = []
  const every = [UNSCOPED, ...scopes]
  for (const [set, bySubject] of opsBySet(ops, every, (s, ref) => scopedSet(names, s.family, ref))) {
    for (const o of bySubject.values()) {
      lines.push(o.kind === 'ban'
        ? `add ${set} ${o.subject.text} timeout ${timeoutSeconds(o.until, now, IPSET_MAX_TIMEOUT)}`
        : `del ${set} ${o.subject.text}`)
    }
  }
  return lines.join('\n') + '\n'
}

export function ipsetAllowScript (names: IpsetNames, allow: readonly ParsedSubject[]): string {
  return [...swapFill(names.allow4, 4, false, allow.filter(a => a.family === 4).map(a => a.text)),
    ...swapFill(names.allow6, 6, false, allow.filter(a => a.family === 6).map(a => a.text))].join('\n') + '\n'
}

/** Parse `ipset save` output; null when a ban set (unscoped or of a known scope) does not exist. */
export function parseIpsetSave (text: string, names: IpsetNames, now: number,
  scopes: readonly ScopeRef[] = []): FirewallBan[] | null {
  const ours = new Map<string, ScopeRef>()
  for (const r of [UNSCOPED, ...scopes]) for (const fam of [4, 6] as const) ours.set(scopedSet(names, fam, r), r)
  let found = 0
  const out: FirewallBan[] = []
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f[0] === 'create' && ours.has(f[1])) found++
    const ref = ours.get(f[1])
    if (f[0] !== 'add' || ref === undefined) continue
    const subject = parseSubject(f[2] ?? '')
    if (subject === null) continue
    const ti = f.indexOf('timeout')
    const secs = ti === -1 ? NaN : Number(f[ti + 1])
    out.push({
      subject: subject.text,
      until: Number.isFinite(secs) ? now + secs * 1000 : Number.MAX_SAFE_INTEGER,
      ...(ref.scope === undefined ? {} : { scope: ref.scope })
    })
  }
  return found < ours.size ? null : out
}

import type { ParsedSubject } from '../common/ip.ts'
import { parseSubject } from '../common/ip.ts'
import type { FirewallBan } from './types.ts'
import { IPSET_MAX_TIMEOUT, timeoutSeconds, type FirewallOp } from './ops.ts'
import type { TimedSubject } from './nft-script.ts'

/**
 * `ipset restore` scripts for the iptables backend. hash:net sets hold addresses and prefixes
 * alike (overlaps are fine there). The default maxelem (65,536) is too small for a collective's
 * blocklist, hence 1,048,576.
 */
export interface IpsetNames { ban4: string, ban6: string, allow4: string, allow6: string }

export function ipsetNames (table: string): IpsetNames {
  return { ban4: `${table}-ban4`, ban6: `${table}-ban6`, allow4: `${table}-allow4`, allow6: `${table}-allow6` }
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
  now: number
): string {
  const live = bans.filter(b => b.until > now)
  const banAdds = (fam: 4 | 6): string[] =>
    live
      .filter(b => b.subject.family === fam)
      .map(b => `${b.subject.text} timeout ${timeoutSeconds(b.until, now, IPSET_MAX_TIMEOUT)}`)
  const allowAdds = (fam: 4 | 6): string[] => allow.filter(a => a.family === fam).map(a => a.text)
  return (
    [
      ...swapFill(names.ban4, 4, true, banAdds(4)),
      ...swapFill(names.ban6, 6, true, banAdds(6)),
      ...swapFill(names.allow4, 4, false, allowAdds(4)),
      ...swapFill(names.allow6, 6, false, allowAdds(6))
    ].join('\n') + '\n'
  )
}

/**
 * run with `ipset -exist restore`: `add` updates the timeout of a present element, `del` of an absent one is a
 * no-op
 */
export function ipsetChangeScript (names: IpsetNames, ops: readonly FirewallOp[], now: number): string {
  return ops.map(o => {
    const set = o.subject.family === 4 ? names.ban4 : names.ban6
    return o.kind === 'ban' ? `add ${set} ${o.subject.text} timeout ${timeoutSeconds(o.until, now, IPSET_MAX_TIMEOUT)}` : `del ${set} ${o.subject.text}`
  }).join('\n') + '\n'
}

export function ipsetAllowScript (names: IpsetNames, allow: readonly ParsedSubject[]): string {
  return [...swapFill(names.allow4, 4, false, allow.filter(a => a.family === 4).map(a => a.text)),
    ...swapFill(names.allow6, 6, false, allow.filter(a => a.family === 6).map(a => a.text))].join('\n') + '\n'
}

/** Parse `ipset save` output; null when the ban sets do not exist. */
export function parseIpsetSave (text: string, names: IpsetNames, now: number): FirewallBan[] | null {
  const ours = new Set([names.ban4, names.ban6])
  let found = 0
  const out: FirewallBan[] = []
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f[0] === 'create' && ours.has(f[1])) found++
    if (f[0] !== 'add' || !ours.has(f[1])) continue
    const subject = parseSubject(f[2] ?? '')
    if (subject === null) continue
    const ti = f.indexOf('timeout')
    const secs = ti === -1 ? NaN : Number(f[ti + 1])
    out.push({ subject: subject.text, until: Number.isFinite(secs) ? now + secs * 1000 : Number.MAX_SAFE_INTEGER })
  }
  return found < ours.size ? null : out
}

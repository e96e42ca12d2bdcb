import { maskIp, parseSubject } from '../common/ip.ts'

/**
 * The allowlist's answer for a plain IPv4 address as integer comparisons. Every vote of a burst
 * asks `why(ip)`; through node's BlockList that is ten `check()` calls, each building a
 * SocketAddress (~7 µs: 5,000 votes spent 200 ms there, more than their store write). The slow
 * path stays for IPv6 and prefixes; this one must answer exactly as it does.
 */
export class V4Ranges<Why extends string> {
  private lo: number[] = []
  private hi: number[] = []
  private why: Why[] = []

  /** `groups` in priority order: the first group holding the address names the reason */
  constructor (groups: ReadonlyArray<readonly [Why, Iterable<string>]>) {
    for (const [why, cidrs] of groups) {
      for (const c of cidrs) {
        const r = rangeOf(c)
        if (r === null) continue
        this.lo.push(r[0])
        this.hi.push(r[1])
        this.why.push(why)
      }
    }
  }

  /** the reason for a 32-bit address, or null */
  reasonOf (n: number): Why | null {
    const { lo, hi } = this
    for (let i = 0; i < lo.length; i++) if (n >= lo[i] && n <= hi[i]) return this.why[i]
    return null
  }
}

/**
 * A canonical dotted quad (what `isIP` accepts as IPv4: no leading zeros, each part ≤ 255) as an
 * unsigned 32-bit number; -1 for anything else, which then takes the general path.
 */
export function ipv4Number (s: string): number {
  if (s.length < 7 || s.length > 15) return -1
  let n = 0
  let part = 0
  let digits = 0
  let dots = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1
      n = n * 256 + part
      part = 0
      digits = 0
      dots++
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1 // a leading zero
      part = part * 10 + (c - 48)
      if (++digits > 3 || part > 255) return -1
    } else {
      return -1
    }
  }
  if (dots !== 3 || digits === 0) return -1
  return n * 256 + part
}

/**
 * The IPv4 span a CIDR covers, or null when it covers none. node's BlockList matches an IPv4
 * address against an IPv6 rule through its mapped form (::ffff:a.b.c.d), so an IPv6 prefix that
 * contains ::ffff:0:0/96 (`::/0`, `::/64`) covers every IPv4 address; `parseSubject` has already
 * turned narrower mapped prefixes into IPv4 ones.
 */
function rangeOf (cidr: string): [number, number] | null {
  const p = parseSubject(cidr)
  if (p === null) return null
  if (p.family === 6) {
    return p.prefixLength <= 96 && maskIp('::ffff:0:0', p.prefixLength) === p.text ? [0, 0xffffffff] : null
  }
  const base = ipv4Number(p.address)
  if (base < 0) return null
  const size = 2 ** (32 - p.prefixLength)
  const lo = base - (base % size)
  return [lo, lo + size - 1]
}

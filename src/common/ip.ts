import { isIP, BlockList } from 'node:net'
import { requireCjs } from './require-cjs.ts'

const ipaddr = requireCjs('ipaddr.js') as typeof import('ipaddr.js')

/**
 * IP handling shared by detection, decisions, firewall and federation.
 * Validation is always `node:net.isIP` (ipaddr.js alone accepts `0x7f.1` and octal forms, which
 * an attacker can put in a log line); ipaddr.js is used only for prefix arithmetic afterwards.
 *
 * A "subject" is the canonical text every stage keys on: `203.0.113.7`, `2001:db8::1`, or a
 * prefix `2001:db8:1:2::/64`, `198.51.100.0/24`. Two spellings of one address give one subject.
 */
export type Family = 4 | 6

export interface ParsedSubject {
  /** canonical text */
  text: string
  family: Family
  /** the address (network address for a prefix), canonical */
  address: string
  /** 32 / 128 for a single address */
  prefixLength: number
  isPrefix: boolean
}

/** Normalise one address: mapped IPv6 (`::ffff:1.2.3.4`) → IPv4, IPv6 compressed lowercase. null when invalid. */
export function normalizeIp (text: string): string | null {
  let s = text
  const zone = s.indexOf('%')
  if (zone !== -1) {
    // a zone id names this host's interface (sshd prints `fe80::1%eth0` for a link-local peer):
    // the address is the part before it, and only a link-local one carries a zone
    s = s.slice(0, zone)
    if (!/^fe[89ab][0-9a-f]:/i.test(s) || !/^%[0-9A-Za-z_.-]{1,15}$/.test(text.slice(zone))) return null
  }
  if (s.length > 45) return null
  const fam = isIP(s)
  if (fam === 0) return null
  if (fam === 4) {
    // isIP accepts only dotted-quad decimal; re-render to drop nothing (no leading zeros allowed by isIP)
    return s
  }
  // ipaddr.js reads every dotted tail as IPv4-mapped: `::1.2.3.4` (IPv4-compatible, deprecated
  // by RFC 4291 2.5.5.1) would become 1.2.3.4, another host's address, while its hex spelling
  // `::102:304` stayed IPv6. The tail is rewritten as two hex groups first, so only a real
  // `::ffff:a.b.c.d` maps to IPv4 and both spellings of an IPv4-compatible address stay IPv6
  const addr = ipaddr.IPv6.parse(
    s.replace(
      /(\d+)\.(\d+)\.(\d+)\.(\d+)$/,
      (_m, a: string, b: string, c: string, d: string) =>
        `${(Number(a) * 256 + Number(b)).toString(16)}:${(Number(c) * 256 + Number(d)).toString(16)}`
    )
  )
  if (addr.isIPv4MappedAddress()) return addr.toIPv4Address().toString()
  s = addr.toString()
  return s
}

/**
 * Exactly what `isIP(s) === 4` accepts (four decimal parts 0–255, no leading zeros, nothing
 * around them), without its regex: test-regex checks every address a log line names
 * (test/unit/common/ip.test.ts compares the two over random texts).
 */
export function isDottedQuad (s: string): boolean {
  const n = s.length
  if (n < 7 || n > 15) return false
  let part = 0
  let digits = 0
  let dots = 0
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || dots === 3) return false
      part = 0
      digits = 0
      dots++
    } else if (c >= 48 && c <= 57) {
      // a leading zero
      if (digits > 0 && part === 0) return false
      part = part * 10 + c - 48
      if (++digits > 3 || part > 255) return false
    } else {
      return false
    }
  }
  return dots === 3 && digits > 0
}

export function familyOf (ip: string): Family {
  return isIP(ip) === 4 ? 4 : 6
}

/** Apply a mask: (`2001:db8::5`, 64) → `2001:db8::/64`; a full-length mask returns the address itself. */
export function maskIp (ip: string, bits: number): string {
  const fam = familyOf(ip)
  const full = fam === 4 ? 32 : 128
  if (bits >= full) return ip
  const parsed = ipaddr.parse(ip)
  const bytes = parsed.toByteArray()
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8))
    bytes[i] &= keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff
  }
  return `${ipaddr.fromByteArray(bytes).toString()}/${bits}`
}

/**
 * Parse an address or CIDR prefix as a subject, normalising it (host bits are cleared:
 * `198.51.100.7/24` → `198.51.100.0/24`; `/32` and `/128` collapse to the address). null when invalid.
 */
export function parseSubject (text: string): ParsedSubject | null {
  const slash = text.indexOf('/')
  if (slash === -1) {
    const ip = normalizeIp(text)
    if (ip === null) return null
    const family = familyOf(ip)
    return { text: ip, family, address: ip, prefixLength: family === 4 ? 32 : 128, isPrefix: false }
  }
  const lenText = text.slice(slash + 1)
  if (!/^\d{1,3}$/.test(lenText)) return null
  const len = Number(lenText)
  const base = normalizeIp(text.slice(0, slash))
  if (base === null) return null
  const family = familyOf(base)
  // a mapped IPv6 prefix (::ffff:1.2.3.0/120) becomes IPv4 with the length shifted
  const mappedShift = family === 4 && isIP(text.slice(0, slash)) === 6 ? 96 : 0
  const bits = len - mappedShift
  const full = family === 4 ? 32 : 128
  if (bits < 0 || bits > full) return null
  const masked = maskIp(base, bits)
  if (bits === full) return { text: base, family, address: base, prefixLength: full, isPrefix: false }
  return { text: masked, family, address: masked.slice(0, masked.indexOf('/')), prefixLength: bits, isPrefix: true }
}

/**
 * Address classes that are never banned whatever any vote says: loopback, RFC 1918, CGNAT,
 * link-local, ULA, multicast, unspecified, and the IPv4 reserved/broadcast blocks. The
 * documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) are
 * deliberately absent: tests and examples use them as attackers.
 */
export const NEVER_BAN_CIDRS: readonly string[] = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.168.0.0/16', '224.0.0.0/4', '240.0.0.0/4',
  '::/128', '::1/128', 'fc00::/7', 'fe80::/10', 'ff00::/8'
]

/** A set of CIDRs answering "does this address or prefix fall inside?" */
export class CidrSet {
  private readonly list = new BlockList()
  readonly entries: string[] = []

  constructor (cidrs: Iterable<string> = []) {
    for (const c of cidrs) this.add(c)
  }

  /** Add a CIDR or address; returns false (and adds nothing) when it does not parse. */
  add (cidr: string): boolean {
    const p = parseSubject(cidr)
    if (p === null) return false
    const type = p.family === 4 ? 'ipv4' : 'ipv6'
    if (p.isPrefix) this.list.addSubnet(p.address, p.prefixLength, type)
    else this.list.addAddress(p.address, type)
    this.entries.push(p.text)
    return true
  }

  /** True when the address, or any part of the prefix, is covered (a prefix overlapping the set counts). */
  has (subject: string | ParsedSubject): boolean {
    const p = typeof subject === 'string' ? parseSubject(subject) : subject
    if (p === null) return false
    const type = p.family === 4 ? 'ipv4' : 'ipv6'
    if (this.list.check(p.address, type)) return true
    if (!p.isPrefix) return false
    // a prefix such as 10.0.0.0/7 contains never-ban space even when its first address does not
    // match; test each entry's network address against the prefix
    for (const e of this.entries) {
      const ep = parseSubject(e)
      if (ep === null || ep.family !== p.family) continue
      if (ep.prefixLength >= p.prefixLength && maskIp(ep.address, p.prefixLength) === p.text) return true
    }
    return false
  }
}

const neverBan = new CidrSet(NEVER_BAN_CIDRS)

/**
 * The never-ban classes by name, for the reason a vote is refused. The first five are never
 * bannable (banning them breaks the host itself); `private`, `cgnat` and `ula` are a default the
 * configuration may lift (`neverBan:`, docs/configuration.md): a router bans its own LAN clients.
 */
export const NEVER_BAN_CLASSES = {
  unspecified: ['0.0.0.0/8', '::/128'],
  loopback: ['127.0.0.0/8', '::1/128'],
  'link-local': ['169.254.0.0/16', 'fe80::/10'],
  multicast: ['224.0.0.0/4', 'ff00::/8'],
  reserved: ['240.0.0.0/4'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
  cgnat: ['100.64.0.0/10'],
  ula: ['fc00::/7']
} as const satisfies Record<string, readonly string[]>

export type NeverBanClass = keyof typeof NEVER_BAN_CLASSES
/** the classes `neverBan:` may lift */
export const OPTIONAL_NEVER_BAN: readonly NeverBanClass[] = ['private', 'cgnat', 'ula']

const classSets = Object.entries(NEVER_BAN_CLASSES).map(
  ([name, cidrs]) => [name as NeverBanClass, new CidrSet(cidrs)] as const
)

/** The never-ban class holding (or overlapping) the subject, among `enabled`; null when none. */
export function neverBanClass (
  subject: string | ParsedSubject,
  enabled: ReadonlySet<NeverBanClass>
): NeverBanClass | null {
  for (const [name, set] of classSets) if (enabled.has(name) && set.has(subject)) return name
  return null
}

/** Public = not in a never-ban class. */
export function isNeverBan (subject: string | ParsedSubject): boolean {
  return neverBan.has(subject)
}

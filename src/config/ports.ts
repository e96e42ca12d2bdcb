import { z } from 'zod'
import { closest, show } from './issues.ts'
import type { BanScope, PortProtocol } from './types.ts'

/**
 * A filter's ban scope (fail2ban's `port` and `protocol`): `ports:` and `protocol:` on a filter
 * or a stream. Absent means what a Palisade ban always meant: every port, every protocol.
 *
 * Service names come from the fixed table below, not from the host's /etc/services: the check
 * stays free of I/O (test-config runs it; the config worker never opens another file) and a
 * configuration means the same on every host, including a container without netbase. The table
 * holds the names fail2ban's stock jail.conf uses, with their IANA port numbers; any other name
 * is refused with a message asking for the number.
 */
export const MAX_PORT_ENTRIES = 32

export const PORT_PROTOCOLS: readonly PortProtocol[] = ['sctp', 'tcp', 'udp']

/** IANA's service name → port (the entries of Debian's /etc/services that fail2ban's jails name) */
export const SERVICES: Readonly<Record<string, number>> = Object.freeze({
  'ftp-data': 20,
  ftp: 21,
  ssh: 22,
  telnet: 23,
  smtp: 25,
  domain: 53,
  http: 80,
  www: 80,
  kerberos: 88,
  pop3: 110,
  nntp: 119,
  ntp: 123,
  imap: 143,
  imap2: 143,
  snmp: 161,
  imap3: 220,
  ldap: 389,
  https: 443,
  isakmp: 500,
  submissions: 465,
  smtps: 465,
  ssmtp: 465,
  submission: 587,
  ldaps: 636,
  rsync: 873,
  'ftps-data': 989,
  ftps: 990,
  imaps: 993,
  pop3s: 995,
  socks: 1080,
  openvpn: 1194,
  'ms-sql-s': 1433,
  mysql: 3306,
  sieve: 4190,
  'ipsec-nat-t': 4500,
  postgresql: 5432,
  sip: 5060,
  'sip-tls': 5061,
  'xmpp-client': 5222,
  ircd: 6667,
  webmin: 10000,
  mongodb: 27017
})

export type PortRange = [number, number]

/** One entry: `22`, `"22"`, `"8000-8100"`, `"8000:8100"` (fail2ban's form) or a service name. */
export function parsePortEntry (v: unknown): { ok: PortRange } | { err: string } {
  if (typeof v === 'number') {
    return Number.isInteger(v) && v >= 1 && v <= 65535 ? { ok: [v, v] } : { err: `expected a port from 1 to 65535, got ${show(v)}` }
  }
  if (typeof v !== 'string') return { err: `expected a port number, a range "low-high" or a service name, got ${show(v)}` }
  const text = v.trim()
  const range = /^(\d{1,5})(?:\s*[-:]\s*(\d{1,5}))?$/.exec(text)
  if (range !== null) {
    const low = Number(range[1])
    const high = range[2] === undefined ? low : Number(range[2])
    if (low < 1 || high > 65535 || low > 65535) return { err: `ports go from 1 to 65535, got ${show(v)}` }
    if (low > high) return { err: `a port range is "low-high" with low <= high, got ${show(v)}` }
    return { ok: [low, high] }
  }
  const port = Object.hasOwn(SERVICES, text.toLowerCase()) ? SERVICES[text.toLowerCase()] : undefined
  if (port !== undefined) return { ok: [port, port] }
  const near = closest(text, Object.keys(SERVICES))
  return {
    err: `unknown service name ${show(v)}: write its port number` +
      (near === undefined ? ' (docs/configuration.md lists the names known)' : `, or did you mean "${near}"?`)
  }
}

/** Sorted, merged ranges (adjacent ones join). */
export function mergeRanges (ranges: readonly PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0])
  const out: PortRange[] = []
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1]
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi)
    else out.push([lo, hi])
  }
  return out
}

/**
 * `ports:` as written: one entry or a list; a string may hold several entries separated by
 * commas or spaces (fail2ban's `port = http,https`). Each bad entry is reported at its index.
 */
export const portsValue = z.unknown().transform((v, ctx): PortRange[] => {
  const list = Array.isArray(v) ? v : [v]
  if (Array.isArray(v) && v.length === 0) {
    ctx.issues.push({ code: 'custom', message: 'expected at least one port (leave `ports` out to ban every port)', input: v })
    return z.NEVER
  }
  const out: PortRange[] = []
  let ok = true
  list.forEach((item, i) => {
    const parts = typeof item === 'string' ? item.split(/[\s,]+/).filter(p => p !== '') : [item]
    if (parts.length === 0) parts.push(item)
    for (const p of parts) {
      const r = parsePortEntry(p)
      if ('err' in r) {
        ctx.issues.push({ code: 'custom', message: r.err, input: item, path: Array.isArray(v) ? [i] : [] })
        ok = false
      } else {
        out.push(r.ok)
      }
    }
  })
  if (ok && out.length > MAX_PORT_ENTRIES) {
    ctx.issues.push({
      code: 'custom',
      message: `at most ${MAX_PORT_ENTRIES} ports or ranges per filter, got ${out.length} (use ranges such as "8000-8100")`,
      input: v
    })
    return z.NEVER
  }
  return ok ? mergeRanges(out) : z.NEVER
})

/** `protocol:` `tcp`, `udp`, `sctp`, `all`, or a list of the first three. */
export const protocolValue = z.unknown().transform((v, ctx): PortProtocol[] | 'all' => {
  if (v === 'all') return 'all'
  const list = Array.isArray(v) ? v : [v]
  const out = new Set<PortProtocol>()
  let ok = list.length > 0
  list.forEach((p, i) => {
    if (typeof p === 'string' && (PORT_PROTOCOLS as readonly string[]).includes(p)) out.add(p as PortProtocol)
    else {
      ok = false
      ctx.issues.push({
        code: 'custom',
        message: `expected one of tcp, udp, sctp${Array.isArray(v) ? '' : ', all'}, got ${show(p)}`,
        input: p,
        path: Array.isArray(v) ? [i] : []
      })
    }
  })
  if (list.length === 0) ctx.issues.push({ code: 'custom', message: 'expected at least one protocol', input: v })
  return ok ? [...out].sort() : z.NEVER
})

/**
 * The filter's scope, or undefined for every port and protocol. Ports without a protocol (or
 * with `all`) apply to every protocol that has ports: tcp, udp and sctp.
 */
export function banScopeOf (ports: PortRange[] | undefined, protocol: PortProtocol[] | 'all' | undefined): BanScope | undefined {
  const protocols = protocol === undefined || protocol === 'all' ? [] : protocol
  if ((ports === undefined || ports.length === 0) && protocols.length === 0) return undefined
  return {
    protocols: protocols.length === 0 ? [...PORT_PROTOCOLS] : protocols,
    ports: ports ?? []
  }
}

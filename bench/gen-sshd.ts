/**
 * A deterministic synthetic sshd auth.log: 70 % benign lines, 30 % failures in the forms OpenSSH
 * really prints, from 10,000 attacker addresses drawn with a Zipf law (a few hammer, most knock
 * once or twice), ~5 % of the failures from IPv6 (2001:db8::/32, each attacker its own /64).
 * Attackers sit in the documentation ranges plus public-looking addresses; benign clients use
 * other addresses, so a benign line never names an attacker.
 *
 *   node bench/gen-sshd.ts OUT [--lines 1000000] [--seed 42]
 */
import { openSync, writeSync, closeSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

export interface GenOptions { lines: number, seed: number, attackers?: number }
export interface GenStats {
  lines: number
  failures: number
  ipv6Failures: number
  attackersSeen: number
  forms: Record<string, number>
}

/** mulberry32: tiny, fast, good enough to pick log lines reproducibly */
export function prng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** cumulative Zipf(s = 1) weights over n ranks, sampled by binary search */
function zipf (n: number, rnd: () => number): () => number {
  const cum = new Float64Array(n)
  let total = 0
  for (let k = 0; k < n; k++) { total += 1 / (k + 1); cum[k] = total }
  return () => {
    const x = rnd() * total
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cum[mid] < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

// first octets of publicly routed, non-special IPv4 space
const PUBLIC_FIRST = [
  5, 23, 31, 37, 45, 46, 51, 58, 61, 77, 80, 85, 91, 92, 103, 109, 112, 116, 117, 122, 134, 141, 159, 161, 164, 165,
  167, 175, 178, 182, 185, 193, 194, 195, 212, 213, 218, 221, 222
]

function attackerPool (n: number, rnd: () => number): { v4: string[], v6: string[] } {
  const nv6 = Math.round(n * 0.05)
  const seen = new Set<string>()
  const v4: string[] = []
  for (const net of ['192.0.2', '198.51.100', '203.0.113']) for (let i = 1; i < 255 && v4.length < n - nv6; i++) v4.push(`${net}.${i}`)
  for (const a of v4) seen.add(a)
  while (v4.length < n - nv6) {
    const a = `${PUBLIC_FIRST[Math.floor(rnd() * PUBLIC_FIRST.length)]}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${1 + Math.floor(rnd() * 254)}`
    if (!seen.has(a)) { seen.add(a); v4.push(a) }
  }
  // shuffle so documentation addresses are spread over the ranks
  for (let i = v4.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [v4[i], v4[j]] = [v4[j], v4[i]] }
  const v6: string[] = []
  for (let i = 0; i < nv6; i++) v6.push(`2001:db8:${(0x100 + i).toString(16)}:${Math.floor(rnd() * 0xffff).toString(16)}::${(1 + Math.floor(rnd() * 0xfffe)).toString(16)}`)
  return { v4, v6 }
}

const USERS = ['root', 'root', 'root', 'admin', 'test', 'user', 'oracle', 'ubuntu', 'postgres', 'git', 'guest', 'ftpuser', 'pi', 'support', 'deploy', 'ansible', 'hadoop', 'minecraft']
const INVALID = USERS.filter(u => u !== 'root')
const STAFF = ['alice', 'bob', 'carol', 'deploy', 'backup']
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

type Form = [name: string, weight: number, make: (ip: string, port: number, r: () => number) => string]
const pick = <T>(a: readonly T[], r: () => number): T => a[Math.floor(r() * a.length)]
const fp = (r: () => number): string => {
  let s = ''
  for (let i = 0; i < 43; i++) s += B64[Math.floor(r() * 64)]
  return s
}

export const FAILURE_FORMS: Form[] = [
  ['failed-password', 20, (ip, p) => `Failed password for root from ${ip} port ${p} ssh2`],
  ['failed-password-invalid', 20, (ip, p, r) => `Failed password for invalid user ${pick(INVALID, r)} from ${ip} port ${p} ssh2`],
  ['invalid-user', 20, (ip, p, r) => `Invalid user ${pick(INVALID, r)} from ${ip} port ${p}`],
  ['pam-auth-failure', 12, (ip) => `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=root`],
  ['closed-invalid-preauth', 10, (ip, p, r) => `Connection closed by invalid user ${pick(INVALID, r)} ${ip} port ${p} [preauth]`],
  ['closed-authenticating-preauth', 4, (ip, p) => `Connection closed by authenticating user root ${ip} port ${p} [preauth]`],
  ['max-auth-attempts', 4, (ip, p, r) => `error: maximum authentication attempts exceeded for ${pick(USERS, r)} from ${ip} port ${p} ssh2 [preauth]`],
  ['no-identification', 4, (ip, p) => `Did not receive identification string from ${ip} port ${p}`],
  ['too-many-failures', 2, (ip, p, r) => `Disconnecting invalid user ${pick(INVALID, r)} ${ip} port ${p}: Too many authentication failures [preauth]`],
  ['failed-publickey', 2, (ip, p, r) => `Failed publickey for root from ${ip} port ${p} ssh2: RSA SHA256:${fp(r)}`],
  ['banner-invalid-format', 2, (ip, p) => `banner exchange: Connection from ${ip} port ${p}: invalid format`]
]

const BENIGN_FORMS: Form[] = [
  ['accepted-publickey', 20, (ip, p, r) => `Accepted publickey for ${pick(STAFF, r)} from ${ip} port ${p} ssh2: ED25519 SHA256:${fp(r)}`],
  ['accepted-password', 6, (ip, p, r) => `Accepted password for ${pick(STAFF, r)} from ${ip} port ${p} ssh2`],
  ['session-opened', 22, (_ip, _p, r) => { const u = pick(STAFF, r); return `pam_unix(sshd:session): session opened for user ${u}(uid=${1000 + STAFF.indexOf(u)}) by (uid=0)` }],
  ['session-closed', 20, (_ip, _p, r) => `pam_unix(sshd:session): session closed for user ${pick(STAFF, r)}`],
  ['received-disconnect', 14, (ip, p) => `Received disconnect from ${ip} port ${p}:11: disconnected by user`],
  ['disconnected-user', 14, (ip, p, r) => `Disconnected from user ${pick(STAFF, r)} ${ip} port ${p}`],
  ['starting-session', 3, (ip, p, r) => `Starting session: shell on pts/${Math.floor(r() * 8)} for ${pick(STAFF, r)} from ${ip} port ${p} id 0`],
  ['server-listening', 1, () => 'Server listening on 0.0.0.0 port 22.']
]

/** a combined POSIX ERE of the failure forms above, for `grep -cE` (the ceiling) */
export const FAILURE_ERE = [
  'Failed (password|publickey) for .* from [0-9a-f.:]+ port [0-9]+',
  'Invalid user .* from [0-9a-f.:]+ port [0-9]+$',
  'authentication failure; .* rhost=[0-9a-f.:]+',
  'Connection closed by (invalid|authenticating) user .* [0-9a-f.:]+ port [0-9]+ \\[preauth\\]$',
  'maximum authentication attempts exceeded for .* from [0-9a-f.:]+ port',
  'Did not receive identification string from [0-9a-f.:]+',
  'Too many authentication failures',
  'banner exchange: Connection from [0-9a-f.:]+ port [0-9]+: invalid format'
].map(s => `(${s})`).join('|')

function chooser (forms: Form[], r: () => number): () => Form {
  const total = forms.reduce((s, f) => s + f[1], 0)
  return () => {
    let x = r() * total
    for (const f of forms) { x -= f[1]; if (x < 0) return f }
    return forms[forms.length - 1]
  }
}

const MONTH_START = Date.UTC(2024, 10, 23) // Nov 23, shown without a year as syslog does

function stamp (sec: number): string {
  const d = new Date(MONTH_START + sec * 1000)
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `Nov ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
}

export function generateSshdLog (path: string, opts: GenOptions): GenStats {
  const r = prng(opts.seed)
  const { v4, v6 } = attackerPool(opts.attackers ?? 10_000, r)
  const z4 = zipf(v4.length, r)
  const z6 = zipf(v6.length, r)
  const benignIps = Array.from({ length: 200 }, (_, i) => `${pick([81, 88, 90, 176, 188], r)}.${(i * 7) % 250 + 1}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}`)
  const failure = chooser(FAILURE_FORMS, r)
  const benign = chooser(BENIGN_FORMS, r)
  const stats: GenStats = { lines: 0, failures: 0, ipv6Failures: 0, attackersSeen: 0, forms: {} }
  const seen = new Set<string>()
  const fd = openSync(path, 'w')
  let buf: string[] = []
  let len = 0
  for (let i = 0; i < opts.lines; i++) {
    // one sshd process per connection: lines of different clients never share a pid
    const pid = 1000 + Math.floor(r() * 4_000_000)
    const port = 1024 + Math.floor(r() * 64000)
    let text: string
    if (r() < 0.3) {
      const ip = r() < 0.05 ? v6[z6()] : v4[z4()]
      const f = failure()
      text = f[2](ip, port, r)
      stats.failures++
      if (ip.includes(':')) stats.ipv6Failures++
      stats.forms[f[0]] = (stats.forms[f[0]] ?? 0) + 1
      seen.add(ip)
    } else {
      text = benign()[2](pick(benignIps, r), port, r)
    }
    const line = `${stamp(Math.floor(i / 12))} host sshd[${pid}]: ${text}\n`
    buf.push(line)
    len += line.length
    if (len > 1 << 20) { writeSync(fd, buf.join('')); buf = []; len = 0 }
  }
  writeSync(fd, buf.join(''))
  closeSync(fd)
  stats.lines = opts.lines
  stats.attackersSeen = seen.size
  return stats
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { lines: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '42' } } })
  if (positionals.length !== 1) {
    console.error('usage: node bench/gen-sshd.ts OUT [--lines N] [--seed S]')
    process.exit(1)
  }
  const t0 = performance.now()
  const s = generateSshdLog(positionals[0], { lines: Number(values.lines), seed: Number(values.seed) })
  console.error(`${positionals[0]}: ${s.lines} lines, ${s.failures} failures (${s.ipv6Failures} IPv6) from ${s.attackersSeen} attackers, ${Math.round(performance.now() - t0)} ms`)
  console.error(JSON.stringify(s.forms))
}

import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { CidrSet, neverBanClass, NEVER_BAN_CLASSES, OPTIONAL_NEVER_BAN, parseSubject, type NeverBanClass } from '../../../src/common/ip.ts'
import { Allowlist, type NeverBanSettings } from '../../../src/decide/allow.ts'
import { ipv4Number } from '../../../src/decide/allow-v4.ts'

/**
 * The IPv4 fast path of the allowlist must answer exactly as the general one (node's BlockList
 * through CidrSet), which is kept here as the reference: configured entries, then the enabled
 * never-ban classes, then own addresses.
 */
function reference (allow: string[], own: string[], nb: NeverBanSettings, ip: string): string | null {
  const p = parseSubject(ip)
  if (p === null) return 'invalid'
  if (new CidrSet(allow).has(p)) return 'allow'
  const classes = new Set((Object.keys(NEVER_BAN_CLASSES) as NeverBanClass[])
    .filter(c => !OPTIONAL_NEVER_BAN.includes(c) || nb[c as keyof NeverBanSettings]))
  const c = neverBanClass(p, classes)
  if (c !== null) return c
  return new CidrSet(own).has(p) ? 'own-address' : null
}

const octet = fc.integer({ min: 0, max: 255 })
const v4 = fc.tuple(octet, octet, octet, octet).map(o => o.join('.'))
/** near the class edges as often as anywhere, so boundaries are hit */
const edgy = fc.oneof(v4, fc.constantFrom('9.255.255.255', '10.0.0.0', '11.0.0.0', '100.63.255.255', '100.64.0.0',
  '100.127.255.255', '100.128.0.0', '172.15.255.255', '172.16.0.0', '172.31.255.255', '172.32.0.0', '223.255.255.255',
  '224.0.0.0', '255.255.255.255', '0.0.0.0', '1.0.0.0', '127.255.255.255', '128.0.0.0'))
const cidr = fc.oneof(
  fc.tuple(v4, fc.integer({ min: 0, max: 32 })).map(([a, l]) => `${a}/${l}`),
  v4,
  // IPv6 rules: BlockList matches IPv4 through the mapped form, so ::/0 … ::/80 cover all of IPv4
  fc.constantFrom('::/0', '::/64', '::/80', '::/81', '::ffff:0:0/95', '::/96', '2001:db8::/32', '::ffff:0:0/104',
    '::ffff:10.0.0.0/104', 'fc00::/7', '::1')
)

test('the IPv4 fast path gives the reason the general allowlist check gives', () => {
  fc.assert(fc.property(
    fc.array(cidr, { maxLength: 6 }), fc.array(cidr, { maxLength: 3 }),
    fc.record({ private: fc.boolean(), cgnat: fc.boolean(), ula: fc.boolean() }),
    fc.array(edgy, { minLength: 1, maxLength: 20 }),
    (allow, own, nb, ips) => {
      const a = new Allowlist(allow, nb)
      a.setOwnAddresses(own)
      for (const ip of ips) {
        assert.equal(a.why(ip), reference(allow, own, nb, ip), `${ip} with allow ${allow.join(' ')} own ${own.join(' ')}`)
      }
    }
  ), { numRuns: 2000 })
})

test('only a canonical dotted quad takes the fast path; everything else is left to the general parser', () => {
  for (const s of ['1.2.3.4', '0.0.0.0', '255.255.255.255']) assert.ok(ipv4Number(s) >= 0, s)
  assert.equal(ipv4Number('1.2.3.4'), 0x01020304)
  assert.equal(ipv4Number('255.255.255.255'), 0xffffffff)
  for (const s of ['01.2.3.4', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '1.2.3.', '.1.2.3', '1.2.3.4/32', '::ffff:1.2.3.4',
    '1.2.3.4%eth0', ' 1.2.3.4', '1.2.3.1000', '']) {
    assert.equal(ipv4Number(s), -1, s)
  }
  const a = new Allowlist(['10.0.0.0/8'])
  assert.equal(a.why('::ffff:10.1.2.3'), 'allow', 'a mapped spelling still reaches the configured entry')
  assert.equal(a.why('010.1.2.3'), 'invalid')
})

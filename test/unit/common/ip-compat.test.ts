import { test } from 'node:test'
import assert from 'node:assert/strict'
import { normalizeIp, parseSubject } from '../../../src/common/ip.ts'

/**
 * `::1.2.3.4` is an IPv4-compatible IPv6 address (deprecated by RFC 4291 2.5.5.1), not the IPv4
 * host 1.2.3.4: read as IPv4 it let a log line name one host and get another banned. It stays
 * IPv6, in one canonical form whichever way it is spelled; only `::ffff:a.b.c.d` (IPv4-mapped)
 * is the IPv4 host.
 */
test('an IPv4-compatible address is IPv6, never the IPv4 host', () => {
  assert.equal(normalizeIp('::1.2.3.4'), '::102:304')
  assert.equal(normalizeIp('::0102:0304'), '::102:304', 'both spellings give one subject')
  assert.equal(normalizeIp('0:0:0:0:0:0:198.51.100.7'), '::c633:6407')
  assert.equal(parseSubject('::198.51.100.7')?.family, 6)
  assert.equal(parseSubject('::198.51.100.0/120')?.text, '::c633:6400/120')
})

test('IPv4-mapped addresses, and only they, become IPv4', () => {
  assert.equal(normalizeIp('::ffff:198.51.100.7'), '198.51.100.7')
  assert.equal(normalizeIp('::FFFF:198.51.100.7'), '198.51.100.7')
  assert.equal(normalizeIp('0:0:0:0:0:ffff:c633:6407'), '198.51.100.7')
  assert.equal(normalizeIp('::ffff:0:198.51.100.7'), '::ffff:0:c633:6407', 'SIIT form is not mapped')
  assert.equal(normalizeIp('64:ff9b::198.51.100.7'), '64:ff9b::c633:6407', 'NAT64 stays IPv6')
})

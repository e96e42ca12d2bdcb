import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatDuration, parseDuration, tryParseDuration } from '../../../src/common/duration.ts'
import { CidrSet, isNeverBan, maskIp, normalizeIp, parseSubject } from '../../../src/common/ip.ts'

test('durations as admins write them', () => {
  assert.equal(parseDuration('6h'), 6 * 3_600_000)
  assert.equal(parseDuration('1h30m'), 5_400_000)
  assert.equal(parseDuration('2 days'), 2 * 86_400_000)
  assert.equal(parseDuration('30 minutes'), 1_800_000)
  assert.equal(parseDuration('500ms'), 500)
  for (const bad of ['10', '', 'h', '3 fortnights', '-1h', '1h-']) assert.equal(tryParseDuration(bad), null, bad)
  assert.throws(() => parseDuration('three'), { code: 'PAL_ERR_DURATION_INVALID' })
  assert.equal(formatDuration(5_400_000), '1h30m')
})

test('IP normalisation: mapped IPv6 to IPv4, compressed lowercase IPv6, invalid refused', () => {
  assert.equal(normalizeIp('::ffff:198.51.100.7'), '198.51.100.7')
  assert.equal(normalizeIp('2001:DB8:0:0:0:0:0:1'), '2001:db8::1')
  for (const bad of ['999.1.1.1', '0x7f.1', '1.2.3', '01.2.3.4', '2001:db8::1%eth0', 'fe80::1%', 'fe80::1%a b', 'x']) assert.equal(normalizeIp(bad), null, bad)
  // a link-local peer's zone names this host's interface: the address is what precedes it
  assert.equal(normalizeIp('fe80::1%eth0'), 'fe80::1')
  assert.equal(maskIp('2001:db8:1:2:3:4:5:6', 64), '2001:db8:1:2::/64')
  assert.equal(parseSubject('198.51.100.7/24')?.text, '198.51.100.0/24')
  assert.equal(parseSubject('203.0.113.7/32')?.text, '203.0.113.7')
})

test('never-ban classes, and documentation ranges stay bannable', () => {
  for (const ip of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.0.1', '100.64.1.1', '169.254.0.1', '::1', 'fd12::1', 'fe80::2', 'ff02::1', '0.0.0.0', '224.0.0.5', '10.0.0.0/7']) {
    assert.equal(isNeverBan(ip), true, ip)
  }
  for (const ip of ['192.0.2.1', '198.51.100.1', '203.0.113.1', '2001:db8::1', '8.8.8.8']) assert.equal(isNeverBan(ip), false, ip)
  const s = new CidrSet(['192.0.2.0/24'])
  assert.equal(s.has('192.0.2.77'), true)
  assert.equal(s.has('::ffff:192.0.2.77'), true)
  assert.equal(s.has('192.0.0.0/16'), true, 'a prefix covering an allowed range overlaps it')
})

/**
 * The pure parts behind `status`, `show`/`unban` of an address inside a prefix, `trigger` and
 * reaction's selections; the end-to-end behaviour is in test/e2e/cli-reaction-forms.test.ts.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../../src/common/clock.ts'
import { silentLogger } from '../../../src/common/logger.ts'
import type { Ban } from '../../../src/common/model.ts'
import type { FilterConfig, PatternConfig } from '../../../src/config/types.ts'
import { banContaining } from '../../../src/decide/lookup.ts'
import { localVote } from '../../../src/decide/local-vote.ts'
import { matchOfValues } from '../../../src/detect/manual-match.ts'
import { selection } from '../../../src/control/selection.ts'
import { renderStatus } from '../../../src/control/commands/status.ts'
import { table } from '../../../src/control/commands/print.ts'
import { targetsOf } from '../../../src/control/commands/targets.ts'
import { createFirewall, startReconcileLoop, type Firewall } from '../../../src/firewall/index.ts'

const ban = (key: string, over: Partial<Ban> = {}): Ban => ({
  key, ip: key, values: { ip: key }, filter: 'ssh.fail', origin: 'detect', since: 0, until: 1, level: 0, reporters: ['self'], firewall: true, ...over
})

test('banContaining: the ban itself, else the narrowest prefix holding the address; nothing for an outsider', () => {
  const bans = new Map([['2001:db8:1::/64', ban('2001:db8:1::/64')], ['2001:db8::/32', ban('2001:db8::/32')], ['198.51.100.0/24', ban('198.51.100.0/24')]])
  const get = (k: string) => bans.get(k)
  assert.equal(banContaining(get, '2001:db8:1::7')?.key, '2001:db8:1::/64')
  assert.equal(banContaining(get, '2001:db8:2::7')?.key, '2001:db8::/32')
  assert.equal(banContaining(get, '198.51.100.9')?.key, '198.51.100.0/24')
  assert.equal(banContaining(get, '2001:db8:1::/64')?.key, '2001:db8:1::/64')
  assert.equal(banContaining(get, '203.0.113.1'), undefined)
  assert.equal(banContaining(get, 'not-an-ip'), undefined)
})

const pattern = (name: string, over: Partial<PatternConfig> = {}): PatternConfig => ({
  name, regex: '', type: 'ip', ignore: [], ignoreregex: [], ignorecidr: [], ipv4mask: 32, ipv6mask: 128, ...over
})
const filter = (patterns: string[]): FilterConfig => ({ id: 'ssh.fail', patterns, ban: 3_600_000, actions: [], share: false, retry: 3 } as unknown as FilterConfig)

test('matchOfValues: masked like a capture, ignore lists and regex honoured, key built as a filter builds it', () => {
  const patterns = { ip: pattern('ip', { ipv6mask: 64, ipv4mask: 24, ignorecidr: ['192.0.2.0/24'], ignore: ['203.0.113.1'] }), user: pattern('user', { type: undefined, regex: '[a-z]+', ignore: ['nobody'] }) }
  const m = matchOfValues(filter(['ip']), patterns, { ip: '2001:DB8:1:0::7' }, 5)
  assert.deepEqual(m, { filter: 'ssh.fail', values: { ip: '2001:db8:1::/64' }, key: '2001:db8:1::/64', ip: '2001:db8:1::/64', time: 5 })
  assert.equal(matchOfValues(filter(['ip']), patterns, { ip: '198.51.100.77' }, 0).key, '198.51.100.0/24')
  assert.throws(() => matchOfValues(filter(['ip']), patterns, { ip: '192.0.2.5' }, 0), /is ignored by the pattern ip/)
  assert.throws(() => matchOfValues(filter(['ip']), patterns, { ip: '0x7f.1' }, 0), /not a valid IP address/)
  assert.throws(() => matchOfValues(filter(['ip']), patterns, {}, 0), /missing ip=/)
  const two = matchOfValues(filter(['user', 'ip']), patterns, { user: 'root', ip: '198.51.100.7' }, 0)
  assert.equal(two.key, '198.51.100.0/24')
  assert.throws(() => matchOfValues(filter(['user', 'ip']), patterns, { user: 'Root', ip: '198.51.100.7' }, 0), /does not match the pattern's regex/)
  assert.throws(() => matchOfValues(filter(['user', 'ip']), patterns, { user: 'nobody', ip: '198.51.100.7' }, 0), /ignored by the pattern user/)
  const v4only = { ip: pattern('ip', { type: 'ipv4' }) }
  assert.throws(() => matchOfValues(filter(['ip']), v4only, { ip: '2001:db8::1' }, 0), /not a valid ipv4 address/)
  const v = localVote(filter(['ip']), m, 3, 2, 9)
  assert.deepEqual({ key: v.key, ip: v.ip, weight: v.weight, ttl: v.ttl, origin: v.origin, observedAt: v.observedAt }, { key: '2001:db8:1::/64', ip: '2001:db8:1::/64', weight: 2, ttl: 3_600_000, origin: 'detect', observedAt: 9 })
})

test('selection: -l STREAM[.FILTER], NAME=REGEX on whole values, an address inside a prefix; bad input refused', () => {
  const bans = [ban('203.0.113.10', { values: { ip: '203.0.113.10', user: 'root' }, filter: 'mail.relay' }), ban('2001:db8:1::/64'), ban('198.51.100.9', { filter: 'manual', origin: 'manual' })]
  const pick = (args: Record<string, unknown>) => bans.filter(selection(args).ban).map(b => b.key)
  assert.deepEqual(pick({}), bans.map(b => b.key))
  assert.deepEqual(pick({ limit: 'mail' }), ['203.0.113.10'])
  assert.deepEqual(pick({ limit: 'mail.relay' }), ['203.0.113.10'])
  assert.deepEqual(pick({ limit: 'mai' }), [])
  assert.deepEqual(pick({ patterns: { user: 'ro.*' } }), ['203.0.113.10'])
  assert.deepEqual(pick({ patterns: { user: 'ro' } }), [], 'the whole value must match')
  assert.deepEqual(pick({ ip: '2001:db8:1::7' }), ['2001:db8:1::/64'])
  assert.throws(() => selection({ limit: 'a.b.c' }), /STREAM or STREAM.FILTER/)
  assert.throws(() => selection({ patterns: { ip: '(' } }), /ip=\(/)
  assert.throws(() => selection({ patterns: { ip: 'x'.repeat(2000) } }), /at most 1024/)
  const c = selection({ patterns: { user: 'root' } }).counter
  assert.equal(c({ filter: 'mail.relay', key: 'root\t203.0.113.1', count: 1, retry: 2, since: 0 }), true)
  assert.equal(c({ filter: 'mail.relay', key: 'admin\t203.0.113.1', count: 1, retry: 2, since: 0 }), false)
})

test('targetsOf and table: one address and NAME=REGEX words; aligned columns, a header only when asked', () => {
  assert.deepEqual(targetsOf(['ip=1.*', '203.0.113.7', 'user=root']), { ip: '203.0.113.7', patterns: { ip: '1.*', user: 'root' } })
  assert.throws(() => targetsOf(['203.0.113.7', '203.0.113.8']), /one address at a time/)
  assert.equal(table(['A', 'BB'], [['xxx', 'y'], ['z', 'w']], true), 'A    BB\nxxx  y\nz    w')
  assert.equal(table(['A', 'BB'], [['xxx', 'y']], false), 'xxx  y')
})

test('the reconcile loop keeps its last pass, failed or not, for status; status renders it', async () => {
  const clock = new ManualClock()
  const fw: Firewall = createFirewall({ backend: 'none', hooks: ['input'], keepOnStop: false, reconcileInterval: 1000, table: 'p', command: { ban: [], unban: [] } }, { logger: silentLogger(), clock })
  await fw.start([], [])
  let fail = false
  const loop = startReconcileLoop({ firewall: fw, expected: () => { if (fail) throw new Error('store gone'); return [{ subject: '203.0.113.1', until: clock.now() + 60_000 }] }, allow: () => [], intervalMs: 30_000, clock, logger: silentLogger() })
  assert.equal(loop.last(), undefined)
  await loop.runOnce()
  assert.deepEqual(loop.last(), { at: clock.now(), added: 1, removed: 0 })
  clock.advance(1000)
  fail = true
  await assert.rejects(loop.runOnce())
  assert.deepEqual(loop.last(), { at: clock.now(), added: 0, removed: 0, error: 'store gone' })
  loop.stop()
  const now = clock.now()
  const text = renderStatus({
    version: '1.2.3', pid: 7, startedAt: now - 90_000, uptimeMs: 90_000, peers: { trusted: 3, connected: 3, trustedConnected: 2 },
    bans: { detect: 4, manual: 1, remote: 2, total: 7 }, firewall: { backend: 'nftables', lastReconcile: loop.last()! },
    streams: [{ stream: 'ssh', kind: 'file', state: 'running', restarts: 0, errors: {}, lines: 12, lastLineAt: now - 5000 }]
  }, now)
  assert.match(text, /^palisade 1\.2\.3, pid 7, up 1m30s/)
  assert.match(text, /^bans: 7 \(detect 4, manual 1, remote 2\)$/m)
  assert.match(text, /^firewall: nftables, last reconcile .* \(0s ago\): FAILED: store gone$/m)
  assert.match(text, /^peers: 2 of 3 trusted connected, 1 other connected$/m)
  assert.match(text, /^ {2}ssh +file +alive +12 +\S+ \(5s ago\) +0 +-$/m)
})

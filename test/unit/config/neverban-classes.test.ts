import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { join } from 'node:path'
import { ManualClock } from '../../../src/common/clock.ts'
import { createLogger, silentLogger } from '../../../src/common/logger.ts'
import { SELF } from '../../../src/common/model.ts'
import { loadConfig } from '../../../src/config/index.ts'
import { PromMetrics } from '../../../src/control/metrics.ts'
import { Allowlist, createDecisionEngine } from '../../../src/decide/index.ts'
import { renderOne } from '../../../src/control/commands/show-print.ts'
import { createStore } from '../../../src/store/index.ts'
import { SSH_STREAM, issuesOf, tempDir, userEnv } from './helpers.ts'

/** Private, CGNAT and ULA protection is a documented default a configuration may lift; the rest never is. */

test('by default private, CGNAT and ULA addresses are protected, each with its class as the reason', () => {
  const a = new Allowlist([])
  assert.deepEqual(['10.1.2.3', '192.168.1.5', '100.64.0.1', 'fd00::1', '127.0.0.1', 'fe80::1', '0.0.0.0', '224.0.0.5', '203.0.113.9'].map(ip => a.why(ip)),
    ['private', 'private', 'cgnat', 'ula', 'loopback', 'link-local', 'unspecified', 'multicast', null])
})

test('neverBan: {private: false, cgnat: false, ula: false} makes them bannable; loopback and link-local never are', () => {
  const a = new Allowlist([], { private: false, cgnat: false, ula: false })
  assert.deepEqual(['10.1.2.3', '100.64.0.1', 'fd00::1', '127.0.0.1', 'fe80::1', '::1'].map(ip => a.why(ip)),
    [null, null, null, 'loopback', 'link-local', 'loopback'])
  assert.ok(!a.kernelEntries().includes('10.0.0.0/8'), 'nor are they in the kernel allow set')
  assert.ok(a.kernelEntries().includes('127.0.0.0/8'))
  assert.equal(new Allowlist(['10.0.0.0/8'], { private: false, cgnat: true, ula: true }).why('10.0.0.7'), 'allow', '`allow` still protects')
})

test('an OpenWrt-style config bans a LAN client through the engine once private is lifted', async () => {
  const t = tempDir()
  const c = await loadConfig(t.write('c.yml', `${SSH_STREAM}patterns: {ip: {type: ip}}\nneverBan: {private: false}\n`), userEnv(t.dir))
  assert.deepEqual(c.neverBan, { private: false, cgnat: true, ula: true })
  const store = createStore({ path: join(t.dir, 'db') }); await store.start()
  const clock = new ManualClock()
  const engine = createDecisionEngine(
    { trust: c.trust, escalation: null, allow: c.allow, neverBan: c.neverBan },
    { store, clock, logger: silentLogger() }
  )
  await engine.start()
  const vote = (ip: string) => engine.vote({ key: ip, ip, values: { ip }, author: SELF, weight: c.trust.localWeight, filter: 'ssh.fail', count: 1, observedAt: clock.now(), ttl: 3_600_000, origin: 'detect', firewall: true })
  assert.notEqual(await vote('192.168.1.50'), null)
  assert.equal(await vote('127.0.0.1'), null)
  assert.equal(await vote('100.64.3.4'), null, 'cgnat still protected')
  assert.deepEqual(engine.bans().map(b => b.key), ['192.168.1.50'])
  await engine.stop(); await store.stop()
})

test('an unknown neverBan class is a located error', async () => {
  const t = tempDir()
  const f = t.write('c.yml', `${SSH_STREAM}patterns: {ip: {type: ip}}\nneverBan: {lan: false}\n`)
  const issues = await issuesOf(f, userEnv(t.dir))
  assert.equal(issues.length, 1, issues.join('\n'))
  assert.match(issues[0], /:9:\d+: neverBan\.lan: unknown key `lan`/)
})

test('every dropped match is visible: a metric each time, a log line at most once a minute per class with the count', async () => {
  const lines: string[] = []
  const log = createLogger({
    level: 'info',
    destination: new Writable({
      write (chunk, _e, cb) {
        lines.push(String(chunk))
        cb()
      }
    })
  })
  const metrics = new PromMetrics()
  const a = new Allowlist([])
  for (let i = 0; i < 5; i++) a.refused('private', `10.0.0.${i}`, 1000 + i, log, metrics)
  a.refused('ula', 'fd00::1', 1000, log, metrics)
  assert.equal(lines.length, 2, lines.join(''))
  a.refused('private', '10.0.0.9', 1000 + 60_000, log, metrics)
  assert.equal(lines.length, 3)
  const last = JSON.parse(lines[2]) as { dropped: number, msg: string }
  assert.equal(last.dropped, 5, 'the four held back since the first note, and this one')
  assert.match(last.msg, /10\.0\.0\.9 is protected \(private\).*neverBan: \{private: false\}/)
  assert.match(await metrics.text(), /palisade_decide_protected_total\{why="private"\} 6/)
})

test('show ADDR says why an address is not banned, and how to lift it', () => {
  const text = renderOne(
    {
      key: '192.168.1.5',
      protected: 'private',
      votes: [],
      decisions: [],
      counters: [],
      pending: []
    } as unknown as Parameters<typeof renderOne>[0],
    0
  )
  assert.match(text, /192\.168\.1\.5 is protected \(private\): never banned here; set `neverBan: \{private: false\}`/)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../../src/common/clock.ts'
import { silentLogger } from '../../../src/common/logger.ts'
import { SELF, type Decision, type Vote } from '../../../src/common/model.ts'
import { createDecisionEngine } from '../../../src/decide/index.ts'
import { createStore } from '../../../src/store/index.ts'
import type { EscalationConfig, TrustConfig } from '../../../src/config/types.ts'
import { tempDir } from '../../helpers/tmp.ts'

const H = 3_600_000
const trust: TrustConfig = {
  threshold: 2, quorum: 2, window: 24 * H, banFor: 24 * H, localWeight: 2, maxReportsPerPeerPerHour: 1000,
  maxRemoteBans: 3, honorRetractions: true, peers: []
}

async function setup (
  opts: { escalation?: EscalationConfig | null; allow?: string[]; trust?: Partial<TrustConfig> } = {}
) {
  const dir = await tempDir()
  const clock = new ManualClock()
  const store = createStore({ path: dir })
  await store.start()
  const make = () =>
    createDecisionEngine(
      { trust: { ...trust, ...opts.trust }, escalation: opts.escalation ?? null, allow: opts.allow ?? [] },
      { store, clock, logger: silentLogger() }
    )
  const engine = make()
  const seen: Decision[] = []
  engine.subscribe({
    name: 'record',
    apply: d => {
      seen.push(d)
    }
  })
  await engine.start()
  const vote = (ip: string, author: string, extra: Partial<Vote> = {}) =>
    engine.vote({
      key: ip,
      ip,
      values: { ip },
      author,
      weight: author === SELF ? 2 : 1,
      filter: 'ssh.fail',
      count: 3,
      observedAt: clock.now(),
      ttl: H,
      origin: author === SELF ? 'detect' : 'remote',
      ...extra
    })
  return { clock, store, engine, seen, vote, make }
}

test('a local detection bans at once for the filter duration', async () => {
  const { engine, vote, clock, seen } = await setup()
  const d = await vote('203.0.113.7', SELF)
  assert.equal(d?.kind, 'ban')
  assert.equal(engine.get('203.0.113.7')?.until, clock.now() + H)
  assert.deepEqual(seen.map(x => x.kind), ['ban'])
})

test('one remote reporter is not a quorum; two distinct reporters are', async () => {
  const { vote } = await setup()
  assert.equal(await vote('198.51.100.1', 'peerA'), null)
  assert.equal(await vote('198.51.100.1', 'peerA'), null, 'the same author twice still counts once')
  const d = await vote('198.51.100.1', 'peerB')
  assert.equal(d?.kind, 'ban')
  assert.deepEqual(d?.ban.reporters.sort(), ['peerA', 'peerB'])
  assert.equal(d?.ban.until, d!.ban.since + trust.banFor, 'remote-only bans last trust.banFor')
})

test('votes older than the window no longer count', async () => {
  const { vote, clock } = await setup()
  await vote('198.51.100.2', 'peerA')
  clock.advance(25 * H)
  assert.equal(await vote('198.51.100.2', 'peerB'), null)
})

test('shadow votes are evaluated but never ban', async () => {
  const { vote } = await setup()
  await vote('198.51.100.3', 'peerA', { shadow: true })
  assert.equal(await vote('198.51.100.3', 'peerB', { shadow: true }), null)
})

test('allowlist and never-ban classes beat every vote; a manual ban of them is an error', async () => {
  const { vote, engine } = await setup({ allow: ['192.0.2.0/24'] })
  assert.equal(await vote('192.0.2.5', SELF), null)
  for (const ip of ['127.0.0.1', '10.1.2.3', '100.64.0.1', '169.254.1.1', 'fd00::1', 'fe80::1', '224.0.0.1', '::1', '192.168.1.1']) {
    assert.equal(await vote(ip, SELF), null, ip)
  }
  await assert.rejects(vote('192.0.2.9', SELF, { origin: 'manual' }), { code: 'PAL_ERR_DECIDE_ALLOWLISTED' })
  assert.equal(engine.bans().length, 0)
})

test('remote votes never shorten a local ban', async () => {
  const { engine, vote, clock } = await setup({ trust: { banFor: 60_000 } })
  await vote('203.0.113.8', SELF, { ttl: 48 * H })
  const until = engine.get('203.0.113.8')!.until
  await vote('203.0.113.8', 'peerA')
  await vote('203.0.113.8', 'peerB')
  assert.equal(engine.get('203.0.113.8')!.until, until)
  assert.ok(until === clock.now() + 48 * H)
})

test('bans expire on the injected clock and emit an unban', async () => {
  const { engine, vote, clock, seen } = await setup()
  await vote('203.0.113.9', SELF)
  clock.advance(H - 1)
  assert.ok(engine.get('203.0.113.9'))
  clock.advance(1)
  await new Promise(resolve => setImmediate(resolve))
  await engine.stop()
  assert.equal(engine.get('203.0.113.9'), undefined)
  assert.deepEqual(seen.map(d => d.kind === 'unban' ? d.why : d.kind), ['ban', 'expired'])
})

test('escalation multiplies repeat offences up to max and is remembered across restarts', async () => {
  const esc = { factor: 2, max: 3 * H, remember: 24 * H }
  const { engine, vote, clock, make } = await setup({ escalation: esc })
  await vote('203.0.113.10', SELF)
  assert.equal(engine.get('203.0.113.10')!.level, 0)
  await engine.unban('203.0.113.10')
  await vote('203.0.113.10', SELF)
  assert.equal(engine.get('203.0.113.10')!.until - clock.now(), 2 * H)
  assert.equal(engine.get('203.0.113.10')!.level, 1)
  await engine.unban('203.0.113.10')
  await engine.stop()
  const again = make()
  await again.start()
  await again.vote({ key: '203.0.113.10', ip: '203.0.113.10', values: { ip: '203.0.113.10' }, author: SELF, weight: 2, filter: 'f', count: 1, observedAt: clock.now(), ttl: H, origin: 'detect' })
  assert.equal(again.get('203.0.113.10')!.until - clock.now(), 3 * H, 'capped at max')
  await again.stop()
})

test('bans survive a restart of the engine; expired ones are dropped', async () => {
  const { engine, vote, clock, make } = await setup()
  await vote('203.0.113.11', SELF, { ttl: H })
  await vote('203.0.113.12', SELF, { ttl: 3 * H })
  await engine.stop()
  clock.advance(2 * H)
  const again = make()
  const live = await again.start()
  assert.deepEqual(live.map(b => b.ip), ['203.0.113.12'])
  await again.stop()
})

test('a retraction lifts a remote-only ban when it falls below the threshold; it cannot lift a local one', async () => {
  const { engine, vote } = await setup()
  await vote('198.51.100.20', 'peerA')
  await vote('198.51.100.20', 'peerB')
  const d = await engine.retract('peerA', '198.51.100.20')
  assert.equal(d?.kind, 'unban')
  await vote('198.51.100.21', SELF)
  await vote('198.51.100.21', 'peerA')
  assert.equal(await engine.retract('peerA', '198.51.100.21'), null)
  assert.ok(engine.get('198.51.100.21'))
})

test('revoking an author drops its votes and lifts the bans that no longer stand', async () => {
  const { engine, vote } = await setup()
  await vote('198.51.100.30', 'peerA')
  await vote('198.51.100.30', 'peerB')
  const lifted = await engine.revoke('peerB')
  assert.deepEqual(lifted.map(d => d.ban.ip), ['198.51.100.30'])
  assert.equal(engine.get('198.51.100.30'), undefined)
  const e = await engine.explain('198.51.100.30')
  assert.deepEqual(e.votes.map(v => v.author), ['peerA'], 'only the revoked author\'s vote is gone')
})

test('maxRemoteBans caps bans created by remote votes alone', async () => {
  const { engine, vote } = await setup()
  for (let i = 1; i <= 4; i++) {
    await vote(`198.51.100.${40 + i}`, 'peerA')
    await vote(`198.51.100.${40 + i}`, 'peerB')
  }
  assert.equal(engine.bans().length, 3)
  assert.ok(await vote('203.0.113.50', SELF), 'local bans are not capped')
})

test('show IP explains every vote and the stored decisions', async () => {
  const { engine, vote } = await setup()
  await vote('198.51.100.60', 'peerA')
  await vote('198.51.100.60', 'peerB')
  const e = await engine.explain('198.51.100.60')
  assert.equal(e.votes.length, 2)
  assert.equal(e.decisions[0].kind, 'ban')
  assert.deepEqual(e.decisions[0].votes.map(v => v.author).sort(), ['peerA', 'peerB'])
})

test('an expired local ban does not come back on the strength of its old local vote', async () => {
  const { engine, vote, clock } = await setup()
  await vote('203.0.113.70', SELF, { ttl: H })
  clock.advance(H)
  await new Promise(resolve => setImmediate(resolve))
  await engine.vote({ key: '203.0.113.70', ip: '203.0.113.70', values: { ip: '203.0.113.70' }, author: 'peerA', weight: 1, filter: 'f', count: 1, observedAt: clock.now(), ttl: H, origin: 'remote' })
  assert.equal(engine.get('203.0.113.70'), undefined, 'one remote reporter is still below the quorum')
  await engine.stop()
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ManualClock } from '../../../src/common/clock.ts'
import { silentLogger } from '../../../src/common/logger.ts'
import { SELF, type Vote } from '../../../src/common/model.ts'
import type { TrustConfig } from '../../../src/config/types.ts'
import { createDecisionEngine } from '../../../src/decide/index.ts'
import { FirewallSink } from '../../../src/decide/sinks.ts'
import { createFirewall } from '../../../src/firewall/index.ts'
import type { Firewall } from '../../../src/firewall/types.ts'
import { createStore } from '../../../src/store/index.ts'
import { tempDir } from '../../helpers/tmp.ts'

/**
 * A burst's decisions reach the firewall as one call per run of one kind, in decision order:
 * 5,000 separate calls each cost a parse, a promise and a queue entry before the one nft run.
 */
const H = 3_600_000
const trust: TrustConfig = {
  threshold: 2, quorum: 1, window: 24 * H, banFor: 24 * H, localWeight: 2, maxReportsPerPeerPerHour: 1000,
  maxRemoteBans: 100, honorRetractions: true, peers: []
}

async function setup () {
  const clock = new ManualClock()
  const store = createStore({ path: join(await tempDir(), 'db') })
  await store.start()
  const inner = createFirewall({
    backend: 'none', hooks: ['input'], keepOnStop: false, reconcileInterval: 60_000, table: 'palisade',
    command: { ban: [], unban: [] }
  }, { logger: silentLogger(), clock })
  const calls: string[] = []
  // the real `none` backend, its calls recorded
  const fw: Firewall = Object.assign(Object.create(inner) as Firewall, {
    ban: (bans: Parameters<Firewall['ban']>[0]) => { calls.push(`ban ${bans.length}`); return inner.ban(bans) },
    unban: (ips: readonly string[]) => { calls.push(`unban ${ips.length}`); return inner.unban(ips) }
  })
  const sink = new FirewallSink(fw, silentLogger())
  const engine = createDecisionEngine({ trust, escalation: null, allow: [] }, { store, clock, logger: silentLogger() })
  engine.subscribe(sink)
  await engine.start()
  const vote = (ip: string): Vote => ({
    key: ip, ip, values: { ip }, author: SELF, weight: 2, filter: 'ssh.fail', count: 3, observedAt: clock.now(), ttl: H, origin: 'detect'
  })
  const listed = async (): Promise<string[]> => ((await inner.list()) ?? []).map(b => b.subject).sort()
  return { clock, engine, sink, calls, vote, listed, stop: async () => { await engine.stop(); await store.stop() } }
}

test('a burst of 5,000 bans is one firewall call, and settled() waits for it', async () => {
  const { engine, sink, calls, vote, listed, stop } = await setup()
  const ips = Array.from({ length: 5000 }, (_, i) => `198.18.${i >> 8}.${i & 255}`)
  await engine.voteMany(ips.map(vote))
  await sink.settled()
  assert.deepEqual(calls, ['ban 5000'])
  assert.equal((await listed()).length, 5000)
  await stop()
})

test('bans and unbans keep their order: a run of one kind per call', async () => {
  const { engine, sink, calls, vote, listed, stop } = await setup()
  await engine.voteMany(['192.0.2.1', '192.0.2.2'].map(vote))
  await engine.unban('192.0.2.1')
  await engine.voteMany(['192.0.2.1', '192.0.2.3'].map(vote))
  await sink.settled()
  assert.deepEqual(calls, ['ban 2', 'unban 1', 'ban 2'])
  assert.deepEqual(await listed(), ['192.0.2.1', '192.0.2.2', '192.0.2.3'])
  await stop()
})

test('settled() right after a decision hands over what is still queued (the ban command waits on it)', async () => {
  const { clock, sink, calls, listed, stop } = await setup()
  const ban = {
    key: '192.0.2.9', ip: '192.0.2.9', values: {}, filter: 'manual', origin: 'manual' as const, since: clock.now(),
    until: clock.now() + H, level: 0, reporters: [SELF], firewall: true
  }
  sink.apply({ kind: 'ban', ban, extended: false, restored: false })
  await sink.settled()
  assert.deepEqual(calls, ['ban 1'])
  assert.deepEqual(await listed(), ['192.0.2.9'])
  await stop()
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../../src/common/clock.ts'
import { silentLogger } from '../../../src/common/logger.ts'
import { MAX_ALSO, SELF, type Vote } from '../../../src/common/model.ts'
import { createDecisionEngine } from '../../../src/decide/index.ts'
import { createStore } from '../../../src/store/index.ts'
import type { TrustConfig } from '../../../src/config/types.ts'
import { tempDir } from '../../helpers/tmp.ts'

/**
 * A ban remembers the other filters and origins whose votes extended it (their ban scopes are
 * restored with it after a restart), bounded: a peer's filter names never grow it.
 */
const H = 3_600_000
const trust: TrustConfig = {
  threshold: 1, quorum: 1, window: 24 * H, banFor: 24 * H, localWeight: 1, maxReportsPerPeerPerHour: 100_000,
  maxRemoteBans: 1000, honorRetractions: true, peers: []
}

test('extensions by other filters and origins are stored with the ban, once each, bounded', async () => {
  const dir = await tempDir()
  const clock = new ManualClock()
  const store = createStore({ path: dir })
  await store.start()
  const make = () =>
    createDecisionEngine({ trust, escalation: null, allow: [] }, { store, clock, logger: silentLogger() })
  const engine = make()
  await engine.start()
  const ip = '203.0.113.9'
  const vote = (filter: string, origin: Vote['origin'], author = origin === 'remote' ? 'peerA' : SELF) =>
    engine.vote({
      key: ip, ip, values: { ip }, author, weight: 1, filter, count: 3, observedAt: clock.now(), ttl: H, origin
    })
  await vote('ssh.fail', 'detect')
  await vote('ssh.fail', 'detect')
  assert.equal(engine.get(ip)?.also, undefined, 'the same filter again adds nothing')
  await vote('web.auth', 'detect')
  await vote('web.auth', 'detect')
  for (let i = 0; i < 50; i++) await vote(`peer-text-${i}`, 'remote')
  await vote('x', 'manual')
  assert.deepEqual(engine.get(ip)?.also, [
    { filter: 'web.auth', origin: 'detect' }, { filter: '', origin: 'remote' }, { filter: '', origin: 'manual' }
  ])
  for (let i = 0; i < 40; i++) await vote(`local.f${i}`, 'detect')
  assert.equal(engine.get(ip)?.also?.length, MAX_ALSO)
  await engine.stop()
  const again = make()
  await again.start()
  assert.equal(again.get(ip)?.also?.length, MAX_ALSO, 'stored with the ban')
  assert.deepEqual(again.get(ip)?.also?.[0], { filter: 'web.auth', origin: 'detect' })
  await again.stop()
  await store.stop()
})

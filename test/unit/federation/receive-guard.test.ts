import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../../src/common/clock.ts'
import { CidrSet } from '../../../src/common/ip.ts'
import { silentLogger } from '../../../src/common/logger.ts'
import { createTrustPolicy } from '../../../src/trust/index.ts'
import { encodeObservation } from '../../../src/federation/observation.ts'
import { Receiver } from '../../../src/federation/receive.ts'
import { SeenCache } from '../../../src/federation/dedupe.ts'
import { PeerGuard } from '../../../src/federation/peer-guard.ts'
import { newIdentity, tempStore, trustConfig } from './helpers.ts'

const self = await newIdentity()
const alice = await newIdentity()
const mallory = await newIdentity()

async function setup (guard: PeerGuard) {
  const clock = new ManualClock()
  const { store } = await tempStore()
  const trust = createTrustPolicy(
    {
      config: trustConfig({
        peers: [
          { key: alice.id, weight: 1, shadow: false },
          { key: mallory.id, weight: 1, shadow: false }
        ]
      })
    },
    { store, clock, logger: silentLogger() }
  )
  await trust.start()
  const penalties: Array<[string, number]> = []
  let verifies = 0
  const receiver = new Receiver(
    { self: self.id, window: 86_400_000, maxClockSkew: 60_000, honorRetractions: true, allow: () => new CidrSet() },
    {
      store,
      trustPolicy: trust,
      clock,
      logger: silentLogger(),
      seen: new SeenCache(store),
      guard,
      onPenalty: (p, u) => {
        penalties.push([p, u])
      },
      onVote: () => {
        verifies++
      },
      onRetract: () => {}
    }
  )
  let seq = 0
  const forged = (): Uint8Array =>
    encodeObservation(
      {
        v: 1,
        kind: 'ban',
        ip: '203.0.113.7',
        filter: 'f',
        count: 1,
        observedAt: clock.now(),
        ttl: 1000,
        author: alice.id,
        seq: ++seq
      },
      mallory.sign
    )
  const good = (): Uint8Array =>
    encodeObservation(
      {
        v: 1,
        kind: 'ban',
        ip: '203.0.113.8',
        filter: 'f',
        count: 1,
        observedAt: clock.now(),
        ttl: 1000,
        author: alice.id,
        seq: ++seq
      },
      alice.sign
    )
  return { clock, trust, receiver, penalties, forged, good, votes: () => verifies }
}

describe('receive path: per-relay guard', () => {
  test('a relay of bad signatures is penalised once past the limit; its later messages cost nothing', async () => {
    const s = await setup(new PeerGuard({ invalidLimit: 5 }))
    for (let i = 0; i < 5; i++) { assert.equal((await s.receiver.receive(s.forged(), mallory.id, { budgeted: true })).action, 'reject') }
    assert.deepEqual(s.penalties.map(p => p[0]), [mallory.id])
    const r = await s.receiver.receive(s.good(), mallory.id, { budgeted: true })
    assert.equal(r.action !== 'accept' && r.reason, 'penalised')
    assert.equal(
      (await s.receiver.receive(s.good(), alice.id, { budgeted: true })).action,
      'accept',
      'another relay is not affected'
    )
    assert.equal(s.trust.stats(mallory.id)?.reasons.signature, 5, 'refusals attributed to the relay')
  })

  test('the message budget is spent before decoding; sync answers do not spend it', async () => {
    const s = await setup(new PeerGuard({ burst: 3, perSecond: 1 }))
    for (let i = 0; i < 3; i++) { assert.equal((await s.receiver.receive(s.good(), alice.id, { budgeted: true })).action, 'accept') }
    const r = await s.receiver.receive(new Uint8Array(5000), alice.id, { budgeted: true })
    assert.equal(r.action !== 'accept' && r.reason, 'budget')
    assert.equal(s.trust.stats(alice.id)?.reasons.budget, 1)
    assert.equal((await s.receiver.receive(s.good(), alice.id)).action, 'accept')
    s.clock.advance(1000)
    assert.equal((await s.receiver.receive(s.good(), alice.id, { budgeted: true })).action, 'accept')
  })
})

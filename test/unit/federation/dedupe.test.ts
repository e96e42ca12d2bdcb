import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../../src/common/clock.ts'
import { CidrSet } from '../../../src/common/ip.ts'
import { silentLogger } from '../../../src/common/logger.ts'
import { createTrustPolicy } from '../../../src/trust/index.ts'
import { encodeObservation } from '../../../src/federation/observation.ts'
import { Receiver } from '../../../src/federation/receive.ts'
import { SeenCache } from '../../../src/federation/dedupe.ts'
import { newIdentity, tempStore, trustConfig } from './helpers.ts'

const H = 3_600_000
const alice = await newIdentity()

describe('seen-set: synchronous claims, store confirmation after overflow', () => {
  test('the cache answers alone until it overflows', async () => {
    const { store } = await tempStore()
    const seen = new SeenCache(store, 2)
    assert.equal(seen.claimNow('a', 1, 10, 0), true)
    assert.equal(seen.claimNow('a', 1, 10, 0), false)
    assert.equal(seen.claimNow('a', 2, 10, 0), true)
    // third entry evicts the first: from now on only the store can say "new"
    assert.equal(seen.claimNow('a', 3, 10, 0), undefined)
    assert.equal(await seen.confirm('a', 3), true)
    assert.equal(seen.claimNow('a', 3, 10, 0), false, 'a cached claim still answers at once')
  })

  test('an evicted observation coming back is a duplicate, confirmed by the store', async () => {
    const clock = new ManualClock()
    const { store } = await tempStore()
    const trust = createTrustPolicy(
      { config: trustConfig({ peers: [{ key: alice.id, weight: 1, shadow: false }] }) },
      { store, clock, logger: silentLogger() }
    )
    await trust.start()
    const votes: string[] = []
    const receiver = new Receiver(
      { self: 'me', window: 24 * H, maxClockSkew: 60_000, honorRetractions: true, allow: () => new CidrSet() },
      {
        store,
        trustPolicy: trust,
        clock,
        logger: silentLogger(),
        seen: new SeenCache(store, 2),
        onVote: v => {
          votes.push(v.ip!)
        },
        onRetract: () => {}
      }
    )
    const obs = (seq: number): Uint8Array =>
      encodeObservation(
        {
          v: 1,
          kind: 'ban',
          ip: `203.0.113.${seq}`,
          filter: 'ssh',
          count: 1,
          observedAt: clock.now(),
          ttl: H,
          author: alice.id,
          seq
        },
        alice.sign
      )
    for (const seq of [1, 2, 3]) assert.equal((await receiver.receive(obs(seq))).action, 'accept')
    assert.equal(receiver.verify(obs(4), clock.now()).action, 'confirm')
    const again = await receiver.receive(obs(1))
    assert.equal(again.action !== 'accept' && again.reason, 'duplicate')
    assert.deepEqual(votes, ['203.0.113.1', '203.0.113.2', '203.0.113.3'])
    assert.equal((await receiver.receive(obs(5))).action, 'accept', 'new ones still pass after overflow')
  })
})

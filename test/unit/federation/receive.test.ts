import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../../src/common/clock.ts'
import { CidrSet } from '../../../src/common/ip.ts'
import { silentLogger } from '../../../src/common/logger.ts'
import type { Vote } from '../../../src/common/model.ts'
import { createTrustPolicy } from '../../../src/trust/index.ts'
import { encodeObservation, type Observation } from '../../../src/federation/observation.ts'
import { Receiver } from '../../../src/federation/receive.ts'
import { SeenCache, observationKey } from '../../../src/federation/dedupe.ts'
import { isReject } from '../../../src/federation/receive.ts'
import { newIdentity, tempStore, trustConfig } from './helpers.ts'

const H = 3_600_000
const self = await newIdentity()
const alice = await newIdentity()
const mallory = await newIdentity()
const revokedPeer = await newIdentity()

async function setup (opts: { honorRetractions?: boolean, perHour?: number, allow?: string[] } = {}) {
  const clock = new ManualClock()
  const { store } = await tempStore()
  const cfg = trustConfig({
    honorRetractions: opts.honorRetractions ?? true,
    maxReportsPerPeerPerHour: opts.perHour ?? 1000,
    peers: [
      { key: alice.id, name: 'alice', weight: 1.5, shadow: false },
      { key: revokedPeer.id, weight: 1, shadow: false }
    ]
  })
  const trust = createTrustPolicy({ config: cfg }, { store, clock, logger: silentLogger() })
  await trust.start()
  await trust.revoke(revokedPeer.id)
  const seen = new SeenCache(store)
  const votes: Vote[] = []
  const retracts: Array<[string, string]> = []
  const counted: Record<string, number> = {}
  const allow = new CidrSet(opts.allow ?? ['192.0.2.0/24'])
  const receiver = new Receiver(
    { self: self.id, window: 24 * H, maxClockSkew: 60_000, honorRetractions: cfg.honorRetractions, allow: () => allow },
    {
      store, trustPolicy: trust, clock, logger: silentLogger(), seen,
      rejected: { inc: (l) => { counted[l!.reason] = (counted[l!.reason] ?? 0) + 1 } },
      onVote: (v) => { votes.push(v) },
      onRetract: (a, ip) => { retracts.push([a, ip]) }
    })
  await receiver.load()
  let seq = 0
  const obs = (over: Partial<Observation> = {}, signer = alice): Uint8Array => encodeObservation({
    v: 1, kind: 'ban', ip: '203.0.113.7', filter: 'ssh.failedlogin', count: 3, observedAt: clock.now(), ttl: 48 * H,
    author: signer.id, seq: ++seq, ...over
  }, signer.sign)
  return { clock, store, trust, receiver, votes, retracts, counted, obs }
}

describe('receive path', () => {
  test('accepts a trusted, signed, fresh observation as a remote vote and stores it', async () => {
    const s = await setup()
    const r = await s.receiver.receive(s.obs({ seq: 7 }))
    assert.equal(r.action, 'accept')
    assert.deepEqual(s.votes, [
      {
        key: '203.0.113.7',
        ip: '203.0.113.7',
        values: { ip: '203.0.113.7' },
        author: alice.id,
        weight: 1.5,
        shadow: false,
        filter: 'ssh.failedlogin',
        count: 3,
        observedAt: s.clock.now(),
        ttl: 48 * H,
        origin: 'remote'
      }
    ])
    const stored = await s.store.get<{ hex: string }>('observations', observationKey(alice.id, 7))
    assert.ok(stored !== undefined && stored.hex.startsWith('01'))
    assert.deepEqual(await s.store.get('authors', alice.id), { highSeq: 7, lastSeen: s.clock.now() })
    assert.equal(s.trust.stats(alice.id)?.accepted, 1)
  })

  const cases: Array<
    [string, 'reject' | 'ignore', string, (s: Awaited<ReturnType<typeof setup>>) => Uint8Array | Promise<Uint8Array>]
  > = [
    ['oversize', 'reject', 'oversize', () => new Uint8Array(2000)],
    ['garbage', 'reject', 'decode', () => Buffer.from('x'.repeat(100))],
    [
      'wrong version',
      'reject',
      'decode',
      s => {
        const b = s.obs()
        b[0] = 2
        return b
      }
    ],
    ['unknown author', 'ignore', 'untrusted', s => s.obs({}, mallory)],
    ['revoked author', 'ignore', 'revoked', s => s.obs({}, revokedPeer)],
    ['own observation', 'ignore', 'own', s => s.obs({}, self)],
    [
      'bad signature',
      'reject',
      'signature',
      s => {
        const b = s.obs()
        b[b.length - 1] ^= 1
        return b
      }
    ],
    [
      'forged author (signed by another key)',
      'reject',
      'signature',
      s => {
        return encodeObservation(
          {
            v: 1,
            kind: 'ban',
            ip: '203.0.113.9',
            filter: 'f',
            count: 1,
            observedAt: s.clock.now(),
            ttl: 0,
            author: alice.id,
            seq: 99
          },
          mallory.sign
        )
      }
    ],
    ['from the future', 'ignore', 'future', s => s.obs({ observedAt: s.clock.now() + 61_000 })],
    ['stale', 'ignore', 'stale', s => s.obs({ observedAt: s.clock.now() - 24 * H - 1 })],
    ['never-ban IP', 'ignore', 'never-ban', s => s.obs({ ip: '10.1.2.3' })],
    ['never-ban prefix overlapping', 'ignore', 'never-ban', s => s.obs({ ip: 'fc00::/7' })],
    ['allowlisted IP', 'ignore', 'allowlisted', s => s.obs({ ip: '192.0.2.55' })],
    ['all global IPv6 (2000::/3)', 'ignore', 'prefix', s => s.obs({ ip: '2000::/3' })],
    ['an eighth of IPv4 (32.0.0.0/3)', 'ignore', 'prefix', s => s.obs({ ip: '32.0.0.0/3' })],
    ['IPv4 /23, one bit wider than the default /24', 'ignore', 'prefix', s => s.obs({ ip: '203.0.112.0/23' })]
  ]
  for (const [name, action, reason, make] of cases) {
    test(`${name} → ${action} (${reason})`, async () => {
      const s = await setup()
      const r = await s.receiver.receive(await make(s))
      assert.equal(r.action, action)
      assert.equal('reason' in r ? r.reason : undefined, reason)
      assert.equal(isReject(r), action === 'reject')
      assert.equal(s.votes.length, 0)
      assert.equal(s.counted[reason], 1)
    })
  }

  test('a skew inside maxClockSkew is accepted', async () => {
    const s = await setup()
    assert.equal((await s.receiver.receive(s.obs({ observedAt: s.clock.now() + 59_000 }))).action, 'accept')
  })

  test('duplicate (author, seq) is ignored, even with other content', async () => {
    const s = await setup()
    assert.equal((await s.receiver.receive(s.obs({ seq: 5 }))).action, 'accept')
    const r = await s.receiver.receive(s.obs({ seq: 5, ip: '203.0.113.8' }))
    assert.equal(r.action !== 'accept' && r.reason, 'duplicate')
    assert.equal(s.votes.length, 1)
  })

  test('duplicate detection survives a restart (store-backed)', async () => {
    const s = await setup()
    const bytes = s.obs({ seq: 5 })
    assert.equal((await s.receiver.receive(bytes)).action, 'accept')
    const seen = new SeenCache(s.store)
    await seen.load(s.clock.now(), 24 * H)
    const again = new Receiver(
      { self: self.id, window: 24 * H, maxClockSkew: 60_000, honorRetractions: true, allow: () => new CidrSet() },
      {
        store: s.store,
        trustPolicy: s.trust,
        clock: s.clock,
        logger: silentLogger(),
        seen,
        onVote: () => assert.fail('re-accepted'),
        onRetract: () => {}
      }
    )
    const r = await again.receive(bytes)
    assert.equal(r.action !== 'accept' && r.reason, 'duplicate')
  })

  test('rate cap per author, refilled with time', async () => {
    const s = await setup({ perHour: 3 })
    for (let i = 0; i < 3; i++) assert.equal((await s.receiver.receive(s.obs())).action, 'accept')
    const r = await s.receiver.receive(s.obs())
    assert.equal(r.action !== 'accept' && r.reason, 'rate')
    s.clock.advance(H / 3 + 1)
    assert.equal((await s.receiver.receive(s.obs())).action, 'accept')
    assert.equal(s.trust.stats(alice.id)?.reasons.rate, 1)
  })

  test('prefixes at the minimum lengths (/24, /48) are accepted', async () => {
    const s = await setup()
    assert.equal((await s.receiver.receive(s.obs({ ip: '203.0.113.0/24' }))).action, 'accept')
    assert.equal((await s.receiver.receive(s.obs({ ip: '2001:db8:1::/48' }))).action, 'accept')
  })

  test('an observation refused for rate is not verified again while it cools off (sync re-sends it)', async () => {
    const s = await setup({ perHour: 1 })
    assert.equal((await s.receiver.receive(s.obs())).action, 'accept')
    const again = s.obs()
    const r1 = await s.receiver.receive(again)
    assert.equal(r1.action !== 'accept' && r1.reason, 'rate')
    const r2 = await s.receiver.receive(again)
    assert.equal(r2.action !== 'accept' && r2.reason, 'duplicate', 'held as seen: no second signature check')
    s.clock.advance(H + 1)
    assert.equal((await s.receiver.receive(again)).action, 'accept', 'after the cool-off (and the refill) it is taken')
  })

  test('retraction honoured', async () => {
    const s = await setup()
    const r = await s.receiver.receive(s.obs({ kind: 'retract', ttl: 0 }))
    assert.equal(r.action, 'accept')
    assert.deepEqual(s.retracts, [[alice.id, '203.0.113.7']])
    assert.equal(s.votes.length, 0)
  })

  test('retraction not honoured when honorRetractions is false', async () => {
    const s = await setup({ honorRetractions: false })
    const r = await s.receiver.receive(s.obs({ kind: 'retract', ttl: 0 }))
    assert.equal(r.action, 'accept')
    assert.equal(r.action === 'accept' && r.retracted, false)
    assert.deepEqual(s.retracts, [])
  })

  test('shadow peers produce shadow votes', async () => {
    const s = await setup()
    await s.trust.add(alice.id, { weight: 1, shadow: true })
    await s.receiver.receive(s.obs())
    assert.equal(s.votes[0].shadow, true)
  })
})

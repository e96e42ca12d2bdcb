/**
 * Poisoning by trusted members, over real libp2p gossip into a real decision engine on a real
 * LevelDB: members filling `trust.maxRemoteBans`, and a member naming huge prefixes.
 *   V  the victim: quorum 1, threshold 1, maxRemoteBans 50, trusts M1, M2 and H
 *   M1, M2  colluding members reporting 60 addresses each
 *   H  an honest member
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { systemClock } from '../../src/common/clock.ts'
import { silentLogger } from '../../src/common/logger.ts'
import { createDecisionEngine, type DecisionEngine } from '../../src/decide/index.ts'
import type { Engine } from '../../src/decide/engine.ts'
import { addrOf, makeNode, prepare, waitFor, type TestNode } from './federation-helpers.ts'

const CAP = 50
const topic = '/palisade/test/obs/1'
const [pv, pm1, pm2, ph] = await Promise.all([prepare('victim'), prepare('m1'), prepare('m2'), prepare('honest')])
const trust = { threshold: 1, quorum: 1, maxRemoteBans: CAP }
// eslint-disable-next-line prefer-const -- the node's callbacks close over it before it exists
let engine: DecisionEngine | undefined
const victim = await makeNode(pv, {
  trusted: [pm1.id, pm2.id, ph.id],
  trust,
  onVote: async (v) => { await engine?.vote(v) },
  onRetract: async (a, ip) => { await engine?.retract(a, ip) }
})
await victim.start()
engine = createDecisionEngine({
  trust: {
    window: 86_400_000, banFor: 86_400_000, localWeight: 1, maxReportsPerPeerPerHour: 100_000, honorRetractions: true,
    ...trust, peers: [pm1.id, pm2.id, ph.id].map(key => ({ key, weight: 1, shadow: false }))
  },
  escalation: null,
  allow: []
}, { store: victim.store, clock: systemClock, logger: silentLogger() })
await engine.start()

const members: TestNode[] = []
for (const p of [pm1, pm2, ph]) {
  const n = await makeNode(p, { trusted: [pv.id], bootstrap: [addrOf(victim)] })
  await n.start()
  members.push(n)
}
const [m1, m2, honest] = members
await waitFor(
  'every member subscribed at the victim and the victim at them',
  () =>
    members.every(
      n =>
        (victim.fed as any).node.services.pubsub.getSubscribers(topic).some((p: any) => p.toString() === n.id) &&
        (n.fed as any).node.services.pubsub.getSubscribers(topic).some((p: any) => p.toString() === pv.id)
    ),
  20_000
)

const ban = async (n: TestNode, ip: string): Promise<void> => {
  await n.fed.publishBan({ ip, filter: 'ssh', count: 1, observedAt: Date.now(), ttl: 3_600_000 })
}
const heldBy = (author: string): number => engine!.bans().filter(b => b.reporters.includes(author)).length

describe('attack: members poisoning the ban list', { timeout: 120_000 }, () => {
  test('two members reporting 60 addresses each fill their shares, not the cap; an honest ban still lands, and one refused for the cap lands once a member is revoked', async () => {
    for (let i = 1; i <= 60; i++) await ban(m1, `198.51.100.${i}`)
    for (let i = 1; i <= 60; i++) await ban(m2, `203.0.113.${i}`)
    await waitFor('the flood counted', () => victim.votes.filter(v => v.author !== ph.id).length >= 120, 30_000)
    const share = Math.ceil(CAP / 3)
    assert.equal(heldBy(pm1.id), share, 'M1 holds its share')
    assert.equal(heldBy(pm2.id), share, 'M2 holds its share')
    assert.ok(
      (engine as Engine).remoteBudgetOf(pm1.id).refused.share >= 60 - share,
      'refusals are attributed to the member'
    )
    // the honest member bans what is left of the cap, and one more
    const room = CAP - 2 * share
    const hIps = Array.from({ length: room + 1 }, (_, i) => `198.51.100.${i + 101}`)
    for (const ip of hIps) await ban(honest, ip)
    await waitFor('honest reports counted', () => hIps.every(ip => victim.votes.some(v => v.ip === ip)), 30_000)
    await waitFor('honest bans', () => hIps.slice(0, room).every(ip => engine!.get(ip) !== undefined), 10_000)
    assert.equal(engine.get(hIps[room]), undefined, 'the cap is full: one honest ban waits')
    assert.equal(engine.bans().length, CAP)
    // revoking M1 lifts its bans and makes room: the waiting honest ban is tallied again
    await victim.trust.revoke(pm1.id)
    await engine.revoke(pm1.id)
    await waitFor('the waiting honest ban lands', () => engine!.get(hIps[room]) !== undefined, 10_000)
    assert.equal(heldBy(pm1.id), 0)
  })

  test('a member naming 2000::/3 or 32.0.0.0/3 changes nothing; a /24 is taken', async () => {
    for (const ip of ['2000::/3', '32.0.0.0/3', '203.0.112.0/23', '2001:db8::/32', '198.51.100.0/24']) await ban(honest, ip)
    await waitFor('the /24 arrived', () => victim.votes.some(v => v.ip === '198.51.100.0/24'), 10_000)
    await waitFor('prefix refusals counted', () => (victim.trust.stats(ph.id)?.reasons.prefix ?? 0) >= 4, 10_000)
    for (const ip of ['2000::/3', '32.0.0.0/3', '203.0.112.0/23', '2001:db8::/32']) {
      assert.equal(victim.votes.some(v => v.ip === ip), false, `${ip} became a vote`)
      assert.equal(engine!.get(ip), undefined)
    }
  })
})

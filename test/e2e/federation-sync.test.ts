import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { addrOf, makeNode, prepare, waitFor } from './federation-helpers.ts'

describe('federation: sync catch-up', { timeout: 30_000 }, () => {
  test('a node offline during publish catches up on connect, from a relay, re-verifying the signature', async () => {
    const [pa, pb, pc] = await Promise.all([prepare('a'), prepare('b'), prepare('c')])
    const all = [pa.id, pb.id, pc.id]
    const a = await makeNode(pa, { trusted: all.filter(k => k !== pa.id) })
    await a.start()
    const b = await makeNode(pb, { trusted: all.filter(k => k !== pb.id), bootstrap: [addrOf(a)] })
    await b.start()
    await waitFor('A–B', () => a.fed.peers().some(p => p.key === b.id && p.connected))
    await waitFor('B subscribed', () => (a.fed as any).node.services.pubsub.getSubscribers('/palisade/test/obs/1').length === 1)

    // C is offline: these reach B only
    const t0 = Date.now()
    for (let i = 1; i <= 3; i++) await a.fed.publishBan({ ip: `203.0.113.${i}`, filter: 'ssh.failedlogin', count: i, observedAt: t0, ttl: 3_600_000 })
    await b.voteFor('203.0.113.3')
    await a.stop() // A stays down: C can only learn A's observations from B's copy

    const c = await makeNode(pc, { trusted: all.filter(k => k !== pc.id), bootstrap: [addrOf(b)] })
    await c.start()
    for (let i = 1; i <= 3; i++) {
      const v = await c.voteFor(`203.0.113.${i}`)
      assert.equal(v.author, a.id)
      assert.equal(v.count, i)
    }
    assert.equal(c.votes.length, 3)
    // B pulled from C too: nothing new, nothing duplicated
    assert.equal(b.votes.length, 3)
  })

  test('sync after a restart does not re-accept what was already stored', async () => {
    const [pa, pb] = await Promise.all([prepare('a'), prepare('b')])
    const a = await makeNode(pa, { trusted: [pb.id] })
    await a.start()
    const b = await makeNode(pb, { trusted: [pa.id], bootstrap: [addrOf(a)] })
    await b.start()
    await waitFor('B subscribed', () => (a.fed as any).node.services.pubsub.getSubscribers('/palisade/test/obs/1').length === 1)
    await a.fed.publishBan({ ip: '198.51.100.9', filter: 'f', count: 1, observedAt: Date.now(), ttl: 60_000 })
    await b.voteFor('198.51.100.9')
    await b.stop()
    const b2 = await makeNode(pb, { trusted: [pa.id], bootstrap: [addrOf(a)] })
    await b2.start()
    await a.fed.publishBan({ ip: '198.51.100.10', filter: 'f', count: 1, observedAt: Date.now(), ttl: 60_000 })
    await b2.voteFor('198.51.100.10')
    await waitFor('sync done', () => (b2.trust.stats(a.id)?.reasons.duplicate ?? 0) + (b2.trust.stats(a.id)?.accepted ?? 0) >= 1)
    assert.deepEqual(b2.votes.map(v => v.ip), ['198.51.100.10'])
  })
})

import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { addrOf, makeNode, prepare, waitFor } from './federation-helpers.ts'

describe('federation: gossip between three real libp2p nodes', { timeout: 30_000 }, () => {
  test('a ban published by A arrives as a verified vote at B and C; retract too', async () => {
    const [pa, pb, pc] = await Promise.all([prepare('a'), prepare('b'), prepare('c')])
    const a = await makeNode(pa, { trusted: [pb.id, pc.id] })
    await a.start()
    const b = await makeNode(pb, { trusted: [pa.id, pc.id], bootstrap: [addrOf(a)] })
    await b.start()
    const c = await makeNode(pc, { trusted: [pa.id, pb.id], bootstrap: [addrOf(a), addrOf(b)] })
    await c.start()
    await waitFor('mesh', () => a.fed.peers().every(p => p.connected) && c.fed.peers().every(p => p.connected))
    // subscriptions travel after connect: retry a fresh ban until the first arrives, then test a clean one
    await waitFor('topic peers', () => (a.fed as any).node.services.pubsub.getSubscribers('/palisade/test/obs/1').length === 2)

    const observedAt = Date.now()
    await a.fed.publishBan({ ip: '203.0.113.7', filter: 'ssh.failedlogin', count: 3, observedAt, ttl: 3_600_000 })
    for (const n of [b, c]) {
      const v = await n.voteFor('203.0.113.7')
      assert.equal(v.author, a.id)
      assert.equal(v.origin, 'remote')
      assert.equal(v.observedAt, observedAt)
      assert.equal(v.filter, 'ssh.failedlogin')
    }
    await a.fed.publishRetract('203.0.113.7', 'ssh.failedlogin')
    await waitFor('retract at B and C', () => b.retracts.length === 1 && c.retracts.length === 1)
    assert.deepEqual(b.retracts[0], [a.id, '203.0.113.7'])
    assert.equal(a.votes.length, 0, 'own observations never come back as votes')
  })
})

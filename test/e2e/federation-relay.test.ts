import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { peerIdFromString } from '@libp2p/peer-id'
import { encodeObservation } from '../../src/federation/observation.ts'
import { loadIdentity } from '../../src/federation/index.ts'
import { addrOf, makeNode, prepare, waitFor } from './federation-helpers.ts'

const TOPIC = '/palisade/test/obs/1'

describe('federation: relaying through a line A–B–C', { timeout: 30_000 }, () => {
  test('C gets A\'s observation through B, verified by A\'s signature; a forged one is rejected by B and not relayed', async () => {
    const [pa, pb, pc] = await Promise.all([prepare('a'), prepare('b'), prepare('c')])
    const all = [pa.id, pb.id, pc.id]
    const b = await makeNode(pb, { trusted: all.filter(k => k !== pb.id) })
    await b.start()
    const a = await makeNode(pa, { trusted: all.filter(k => k !== pa.id), bootstrap: [addrOf(b)] })
    const c = await makeNode(pc, { trusted: all.filter(k => k !== pc.id), bootstrap: [addrOf(b)] })
    await a.start()
    await c.start()
    const bPub = (b.fed as any).node.services.pubsub
    await waitFor('A and C subscribed at B', () => bPub.getSubscribers(TOPIC).length === 2)
    // gossipsub forwards to mesh peers: wait until B grafted both
    await waitFor('B mesh', () => bPub.getMeshPeers(TOPIC).length === 2)
    const aNode = (a.fed as any).node
    assert.equal(aNode.getConnections(peerIdFromString(c.id)).length, 0, 'A and C are not connected')

    // forged: valid CBOR naming A as author, signature broken, published raw on A's gossipsub
    const idA = await loadIdentity(pa.dir)
    const forged = encodeObservation(
      {
        v: 1,
        kind: 'ban',
        ip: '203.0.113.99',
        filter: 'forged',
        count: 1,
        observedAt: Date.now(),
        ttl: 60_000,
        author: idA.id,
        seq: 1_000_000
      },
      idA.sign
    )
    forged[forged.length - 5] ^= 0xff
    await aNode.services.pubsub.publish(TOPIC, forged)
    await waitFor('B rejected the forgery', () => b.trust.stats(a.id)?.reasons.signature === 1)

    await a.fed.publishBan({
      ip: '203.0.113.50',
      filter: 'ssh.failedlogin',
      count: 5,
      observedAt: Date.now(),
      ttl: 60_000
    })
    const v = await c.voteFor('203.0.113.50')
    assert.equal(v.author, a.id)
    assert.equal(v.count, 5)
    // the forgery was never relayed: C never saw any report from A but the valid one
    await waitFor('C stats', () => c.trust.stats(a.id) !== undefined)
    assert.deepEqual(c.trust.stats(a.id), {
      accepted: 1,
      rejected: 0,
      lastReport: c.trust.stats(a.id)?.lastReport,
      reasons: {}
    })
    assert.equal(c.votes.some(x => x.ip === '203.0.113.99'), false)
    assert.equal(b.votes.some(x => x.ip === '203.0.113.99'), false)
  })
})

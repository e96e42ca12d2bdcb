import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { addrOf, makeNode, prepare, waitFor } from './federation-helpers.ts'

describe('federation: untrusted peers', { timeout: 30_000 }, () => {
  test('with open: false an untrusted node cannot connect', async () => {
    const [pa, pd] = await Promise.all([prepare('a'), prepare('d')])
    const a = await makeNode(pa, { trusted: [] })
    await a.start()
    const d = await makeNode(pd, { trusted: [pa.id], open: true })
    await d.start()
    const dNode = (d.fed as any).node
    // a refused dial may "resolve" before the remote drops it (docs/platform-notes.md): prove with a protocol stream
    const attempt = await dNode.dialProtocol(multiaddr(addrOf(a)), '/palisade/sync/1').then(() => 'opened', () => 'refused')
    assert.equal(attempt, 'refused')
    const aNode = (a.fed as any).node
    await new Promise(resolve => setTimeout(resolve, 200))
    assert.equal(aNode.getConnections(peerIdFromString(d.id)).length, 0)
    // and A does not dial D either
    await assert.rejects(aNode.dial(multiaddr(addrOf(d))))
  })

  test('with open: true an untrusted node connects but its reports are ignored', async () => {
    const [pa, pd] = await Promise.all([prepare('a'), prepare('d')])
    const a = await makeNode(pa, { trusted: [], open: true })
    await a.start()
    const d = await makeNode(pd, { trusted: [pa.id], open: true, bootstrap: [addrOf(a)] })
    await d.start()
    await waitFor('D subscribed at A', () => (d.fed as any).node.services.pubsub.getSubscribers('/palisade/test/obs/1').length === 1)
    await d.fed.publishBan({ ip: '203.0.113.66', filter: 'f', count: 1, observedAt: Date.now(), ttl: 60_000 })
    await waitFor('A saw the report', () => a.trust.stats(d.id) !== undefined)
    assert.deepEqual(a.trust.stats(d.id)?.reasons, { untrusted: 1 })
    assert.equal(a.votes.length, 0)
  })

  test('revoking a connected peer drops its connection and its later reports', async () => {
    const [pa, pb] = await Promise.all([prepare('a'), prepare('b')])
    const a = await makeNode(pa, { trusted: [pb.id] })
    await a.start()
    const b = await makeNode(pb, { trusted: [pa.id], bootstrap: [addrOf(a)] })
    await b.start()
    await waitFor('connected', () => a.fed.peers()[0]?.connected === true)
    await a.trust.revoke(b.id)
    await waitFor('disconnected', () => (a.fed as any).node.getConnections(peerIdFromString(b.id)).length === 0)
    assert.deepEqual(a.fed.peers(), [])
  })
})

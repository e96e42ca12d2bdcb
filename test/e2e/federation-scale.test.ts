import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { addrOf, makeNode, prepare, waitFor, type TestNode } from './federation-helpers.ts'

const N = 20
const TOPIC = '/palisade/test/obs/1'

interface PubsubView {
  getSubscribers (topic: string): unknown[]
  getMeshPeers (topic: string): unknown[]
}

function pubsubOf (n: TestNode): PubsubView {
  return (n.fed as unknown as { node: { services: { pubsub: PubsubView } } }).node.services.pubsub
}

/**
 * A collective of 20 on one host: every member shares 127.0.0.1, which gossipsub's default IP
 * colocation score graylisted from the 15th peer on (subscriptions dropped, nothing delivered).
 */
describe(`federation: ${N} members on loopback`, { timeout: 60_000 }, () => {
  test('every member receives every other member\'s observation by gossip', async () => {
    const preps = await Promise.all(Array.from({ length: N }, async (_, i) => await prepare(`s${i}`)))
    const nodes: TestNode[] = []
    const addrs: string[] = []
    for (const p of preps) {
      const n = await makeNode(p, {
        trusted: preps.filter(q => q !== p).map(q => q.id),
        bootstrap: addrs.slice(),
        fed: { redialInterval: 1000 }
      })
      await n.start()
      nodes.push(n)
      addrs.push(addrOf(n))
    }
    await waitFor('full mesh of connections', () => nodes.every(n => n.fed.peers().filter(p => p.connected).length === N - 1), 20_000)
    await waitFor('every member subscribed at every member', () => nodes.every(n => pubsubOf(n).getSubscribers(TOPIC).length === N - 1), 10_000)
    // the heartbeat (1 s) grafts the mesh; flood publishing does not need it, relays do
    await waitFor('gossip mesh', () => nodes.every(n => pubsubOf(n).getMeshPeers(TOPIC).length > 0), 5_000)

    const observedAt = Date.now()
    const t0 = performance.now()
    await Promise.all(nodes.map(async (n, i) => {
      await n.fed.publishBan({ ip: `203.0.113.${i + 1}`, filter: 'ssh.failedlogin', count: 3, observedAt, ttl: 3_600_000 })
    }))
    await waitFor('all observations everywhere', () => nodes.every(n => n.votes.length >= N - 1), 10_000)
    const elapsed = performance.now() - t0

    for (const [i, n] of nodes.entries()) {
      const authors = new Set(n.votes.map(v => v.author))
      assert.equal(authors.size, N - 1, `${n.name} got votes from ${authors.size} members`)
      assert.ok(!authors.has(n.id), 'own observations never come back')
      const ips = new Set(n.votes.map(v => v.ip))
      for (let j = 0; j < N; j++) if (j !== i) assert.ok(ips.has(`203.0.113.${j + 1}`), `${n.name} lacks member ${j}'s ban`)
      assert.ok(n.votes.every(v => v.origin === 'remote' && v.observedAt === observedAt))
    }
    // 20 × 19 deliveries, all in this one process: a generous bound, far below the 10 s wait
    assert.ok(elapsed < 5_000, `delivery took ${Math.round(elapsed)} ms`)
  })
})

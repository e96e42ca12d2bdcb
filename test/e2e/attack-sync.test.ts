/**
 * Attacks on `/palisade/sync/1` by a hostile peer process (test/e2e/fixtures/hostile-peer.ts)
 * against a real federation node with a real LevelDB store holding 20,000 observations:
 *   - one request with 50,000 disjoint ranges (the quadratic scan that froze the event loop)
 *   - a stranger of an open collective asking for the whole store
 *   - a member asking for the whole store 8 times at once, then again and again
 * The victim runs in this process, so its event-loop delay is measured directly.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createStore } from '../../src/store/index.ts'
import { observationKey } from '../../src/federation/dedupe.ts'
import { SYNC_BUDGET } from '../../src/federation/sync.ts'
import { encodeObservation, loadIdentity } from '../../src/federation/index.ts'
import { addrOf, makeNode, prepare, waitFor } from './federation-helpers.ts'

const NODE = join(import.meta.dirname, '../../node_modules/.bin/node')
const HOSTILE = join(import.meta.dirname, 'fixtures/hostile-peer.ts')
const HELD = 20_000

function hostile (...args: string[]): Promise<any> {
  return new Promise((resolve, reject) => {
    execFile(NODE, [HOSTILE, ...args], { timeout: 120_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`hostile peer failed: ${err.message}\n${stderr}`))
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!))
    })
  })
}

/** 20,000 signed observations of `author` already in the victim's store (loaded into its seen-set at start) */
async function fill (dir: string, author: { id: string, dir: string }): Promise<void> {
  const store = createStore({ path: join(dir, 'db') })
  await store.start()
  const { sign } = await loadIdentity(author.dir)
  const now = Date.now()
  const b = store.batch()
  for (let seq = 1; seq <= HELD; seq++) {
    const bytes = encodeObservation(
      {
        v: 1,
        kind: 'ban',
        ip: `198.51.100.${(seq % 250) + 1}`,
        filter: 'f',
        count: 1,
        observedAt: now,
        ttl: 3_600_000,
        author: author.id,
        seq
      },
      sign
    )
    b.put('observations', observationKey(author.id, seq), { hex: Buffer.from(bytes).toString('hex'), receivedAt: now, observedAt: now })
  }
  await b.write()
  await store.stop()
}

const [pv, ph, attacker, stranger, author] = await Promise.all([prepare('victim'), prepare('honest'), prepare('attacker'), prepare('stranger'), prepare('author')])
await fill(pv.dir, author)
// the attacker is a member (weight 0 would do: any admitted key may sync); the collective is open
const victim = await makeNode(pv, {
  trusted: [ph.id, attacker.id, author.id],
  open: true,
  trust: { threshold: 1, quorum: 1 }
})
await victim.start()
const honest = await makeNode(ph, { trusted: [pv.id], bootstrap: [addrOf(victim)] })
await honest.start()
await waitFor(
  'honest member subscribed at the victim',
  () =>
    (victim.fed as any).node.services.pubsub
      .getSubscribers('/palisade/test/obs/1')
      .some((p: any) => p.toString() === ph.id) &&
    (honest.fed as any).node.services.pubsub
      .getSubscribers('/palisade/test/obs/1')
      .some((p: any) => p.toString() === pv.id),
  20_000
)
// the honest member's own catch-up (20,000 observations of an author it does not trust) is over
await waitFor('honest catch-up', () => (honest.trust.stats(author.id)?.reasons.untrusted ?? 0) >= HELD, 60_000)

describe('attack: sync', { timeout: 240_000 }, () => {
  test('50,000 ranges in one request: refused unanswered, the event loop keeps turning, an honest ban arrives', async (t) => {
    const lag = monitorEventLoopDelay({ resolution: 10 })
    lag.enable()
    const attack = hostile('sync-ranges', attacker.dir, addrOf(victim), author.id, '50000')
    // the honest ban is published while the attack is in flight
    await new Promise(resolve => setTimeout(resolve, 300))
    const t0 = Date.now()
    await honest.fed.publishBan({ ip: '203.0.113.50', filter: 'ssh', count: 1, observedAt: Date.now(), ttl: 3_600_000 })
    await victim.voteFor('203.0.113.50', 15_000)
    const banMs = Date.now() - t0
    const r = await attack
    lag.disable()
    const maxLagMs = lag.max / 1e6
    t.diagnostic(`request ${r.requestBytes} bytes: ${r.outcome}; honest ban ${banMs} ms; max event-loop delay ${maxLagMs.toFixed(0)} ms`)
    assert.ok(r.requestBytes > 400_000, `the request is the large one (${r.requestBytes} bytes)`)
    assert.equal(r.received, 0)
    assert.match(r.outcome, /^reset/, 'the over-cap request is reset, not answered')
    assert.ok(banMs < 3_000, `honest ban took ${banMs} ms during the attack`)
    assert.ok(maxLagMs < 750, `event loop stalled ${maxLagMs.toFixed(0)} ms`)
    assert.ok((victim.trust.stats(attacker.id)?.reasons['sync-too-many-ranges'] ?? 0) >= 1)
  })

  test('a stranger of an open collective connects but gets nothing by sync', async () => {
    const r = await hostile('sync-all', stranger.dir, addrOf(victim), '1', '1')
    assert.equal(r.total, 0)
    assert.match(r.results[0].outcome, /^reset/)
  })

  test('a member asking for everything 8 times at once is served once at a time, and within its budget', async (t) => {
    const lag = monitorEventLoopDelay({ resolution: 10 })
    lag.enable()
    const burst = await hostile('sync-all', attacker.dir, addrOf(victim), '8', '1')
    const served = burst.results.filter((x: any) => x.outcome === 'done')
    assert.ok(served.length <= 2, `${served.length} of 8 parallel requests were answered`)
    assert.ok(burst.results.filter((x: any) => /^reset/.test(x.outcome)).length >= 6)
    // again and again: the budget (one full catch-up, then a slow refill) runs out
    const again = await hostile('sync-all', attacker.dir, addrOf(victim), '1', '6')
    lag.disable()
    const total = burst.total + again.total
    t.diagnostic(`8 at once: ${burst.results.filter((x: any) => x.outcome === 'done').length} answered; then ${again.results.map((x: any) => x.received).join(', ')} observations; max event-loop delay ${(lag.max / 1e6).toFixed(0)} ms`)
    assert.ok(total <= SYNC_BUDGET + 2_000, `the member drew ${total} observations, budget ${SYNC_BUDGET}`)
    assert.ok(again.results.at(-1).received < HELD, 'the last request was cut short by the budget')
    assert.ok((victim.trust.stats(attacker.id)?.reasons['sync-budget'] ?? 0) >= 1)
    assert.ok((victim.trust.stats(attacker.id)?.reasons['sync-concurrent'] ?? 0) >= 6)
    assert.ok(lag.max / 1e6 < 750, `event loop stalled ${(lag.max / 1e6).toFixed(0)} ms while serving`)
  })
})

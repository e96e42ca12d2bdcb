/**
 * A trusted member floods gossip with well-formed observations whose signatures do not verify
 * (test/e2e/fixtures/hostile-peer.ts `flood`, a real libp2p process). The victim, a real
 * federation node with a real LevelDB in this process, must disconnect it after a few invalid
 * messages and refuse it for the backoff, keep its event loop turning, take an honest member's
 * ban at once, and write a handful of log lines, not one per message.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createLogger } from '../../src/common/logger.ts'
import { addrOf, makeNode, prepare, waitFor } from './federation-helpers.ts'

const NODE = join(import.meta.dirname, '../../node_modules/.bin/node')
const HOSTILE = join(import.meta.dirname, 'fixtures/hostile-peer.ts')

function hostile (...args: string[]): Promise<any> {
  return new Promise((resolve, reject) => {
    execFile(NODE, [HOSTILE, ...args], { timeout: 120_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`hostile peer failed: ${err.message}\n${stderr}`))
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!))
    })
  })
}

const lines: Array<{ level: number, msg: string, reason?: string, count?: number }> = []
const sink = new Writable({
  write (chunk, _enc, done) {
    for (const l of String(chunk).split('\n')) if (l !== '') lines.push(JSON.parse(l))
    done()
  }
})

const [pv, ph, pm] = await Promise.all([prepare('victim'), prepare('honest'), prepare('flooder')])
const victim = await makeNode(pv, { trusted: [ph.id, pm.id], trust: { threshold: 1, quorum: 1 }, logger: createLogger({ level: 'info', destination: sink }) })
await victim.start()
const honest = await makeNode(ph, { trusted: [pv.id], bootstrap: [addrOf(victim)] })
await honest.start()
const topic = '/palisade/test/obs/1'
await waitFor('honest member and victim subscribed to each other', () =>
  (victim.fed as any).node.services.pubsub.getSubscribers(topic).some((p: any) => p.toString() === ph.id) &&
  (honest.fed as any).node.services.pubsub.getSubscribers(topic).some((p: any) => p.toString() === pv.id), 20_000)

describe('attack: a member floods bad signatures', { timeout: 120_000 }, () => {
  test('the flooder is cut off and refused, the honest ban arrives, the log stays small', async (t) => {
    const lag = monitorEventLoopDelay({ resolution: 10 })
    lag.enable()
    const attack = hostile('flood', pm.dir, addrOf(victim), 'test', ph.id, '15')
    // counted under the author it claims (and, with the defence, under the relay that sent it)
    await waitFor('the flood reached the victim', () => (victim.trust.stats(ph.id)?.reasons.signature ?? 0) > 0, 30_000)
    const t0 = Date.now()
    await honest.fed.publishBan({ ip: '203.0.113.60', filter: 'ssh', count: 1, observedAt: Date.now(), ttl: 3_600_000 })
    await victim.voteFor('203.0.113.60', 10_000)
    const banMs = Date.now() - t0
    const r = await attack
    lag.disable()
    t.diagnostic(`flooder sent ${r.sent}, cut off after ${r.disconnectedAfter}, reconnect ${r.redial}; honest ban ${banMs} ms; max event-loop delay ${(lag.max / 1e6).toFixed(0)} ms; ${lines.filter(l => /observations? rejected/.test(l.msg)).length} rejection log lines`)
    assert.notEqual(r.disconnectedAfter, null, `the flooder sent ${r.sent} messages in ${r.floodMs} ms and was never disconnected`)
    assert.equal(r.redial, 'refused', 'a reconnect during the penalty is refused')
    assert.ok(banMs < 3_000, `honest ban took ${banMs} ms`)
    assert.ok(lag.max / 1e6 < 750, `event loop stalled ${(lag.max / 1e6).toFixed(0)} ms`)
    assert.ok(victim.fed.peers().find(p => p.key === pm.id)?.penalisedUntil !== undefined)
    assert.equal(victim.fed.peers().find(p => p.key === pm.id)?.connected, false)
    // the honest member is still connected and its messages still count
    assert.equal(victim.fed.peers().find(p => p.key === ph.id)?.connected, true)
    const rejected = lines.filter(l => l.msg === 'observation rejected' || l.msg === 'more observations rejected')
    const refusedCount = victim.trust.stats(pm.id)?.reasons.signature ?? 0
    assert.ok(refusedCount >= 10, `${refusedCount} signature refusals`)
    assert.ok(rejected.length <= 4, `${rejected.length} log lines for ${refusedCount} rejected messages`)
  })
})

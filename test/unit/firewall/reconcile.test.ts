import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../../src/common/clock.ts'
import { silentLogger } from '../../../src/common/logger.ts'
import type { Counter, Metrics } from '../../../src/control/metrics-types.ts'
import { createFirewall, startReconcileLoop, type Firewall, type FirewallBan } from '../../../src/firewall/index.ts'

function countingMetrics (): { metrics: Metrics, counts: Map<string, number> } {
  const counts = new Map<string, number>()
  const counter = (name: string): Counter => ({
    inc (labels, value = 1) { const k = `${name}${JSON.stringify(labels ?? {})}`; counts.set(k, (counts.get(k) ?? 0) + value) }
  })
  const noop = { set () {}, inc () {}, dec () {}, observe () {} }
  return { metrics: { counter, gauge: () => noop, histogram: () => noop }, counts }
}

function noneFirewall (clock: ManualClock): Firewall {
  return createFirewall({ backend: 'none', hooks: ['input'], keepOnStop: false, reconcileInterval: 1000, table: 'p', command: { ban: [], unban: [] } },
    { logger: silentLogger(), clock })
}

test('reconcile adds what the kernel misses, removes what the store does not hold, and counts repairs', async () => {
  const clock = new ManualClock()
  const fw = noneFirewall(clock)
  const expected: FirewallBan[] = [{ subject: '203.0.113.1', until: clock.now() + 60_000 }, { subject: '203.0.113.2', until: clock.now() + 60_000 }]
  await fw.start([expected[0], { subject: '203.0.113.9', until: clock.now() + 60_000 }], [])
  const { metrics, counts } = countingMetrics()
  const loop = startReconcileLoop({ firewall: fw, expected: () => expected, allow: () => [], intervalMs: 30_000, clock, logger: silentLogger(), metrics })
  assert.deepEqual(await loop.runOnce(), { added: 1, removed: 1 })
  assert.deepEqual((await fw.list())!.map(b => b.subject).sort(), ['203.0.113.1', '203.0.113.2'])
  assert.equal(counts.get('palisade_firewall_repairs_total{"kind":"add"}'), 1)
  assert.equal(counts.get('palisade_firewall_repairs_total{"kind":"remove"}'), 1)
  assert.deepEqual(await loop.runOnce(), { added: 0, removed: 0 }, 'a second pass finds nothing')
  loop.stop()
})

test('a timeout difference within the tolerance is not drift; a larger one is re-applied', async () => {
  const clock = new ManualClock()
  const fw = noneFirewall(clock)
  const until = clock.now() + 60_000
  await fw.start([{ subject: '203.0.113.1', until: until - 2000 }], [])
  let expected: FirewallBan[] = [{ subject: '203.0.113.1', until }]
  const loop = startReconcileLoop({ firewall: fw, expected: () => expected, allow: () => [], intervalMs: 30_000, clock, logger: silentLogger() })
  assert.deepEqual(await loop.runOnce(), { added: 0, removed: 0 })
  expected = [{ subject: '203.0.113.1', until: until + 3_600_000 }]
  assert.deepEqual(await loop.runOnce(), { added: 1, removed: 0 })
  assert.equal((await fw.list())![0].until, until + 3_600_000)
  loop.stop()
})

test('the loop runs on the injected clock and stops when told', async () => {
  const clock = new ManualClock()
  const fw = noneFirewall(clock)
  await fw.start([], [])
  let calls = 0
  const loop = startReconcileLoop({ firewall: fw, expected: () => { calls++; return [] }, allow: () => [], intervalMs: 30_000, clock, logger: silentLogger() })
  clock.advance(29_999)
  assert.equal(calls, 0)
  clock.advance(1)
  await new Promise(resolve => setImmediate(resolve))
  assert.equal(calls, 1)
  loop.stop()
  clock.advance(120_000)
  await new Promise(resolve => setImmediate(resolve))
  assert.equal(calls, 1)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../../src/common/clock.ts'
import { silentLogger } from '../../../src/common/logger.ts'
import type { Counter, Metrics } from '../../../src/control/metrics-types.ts'
import { createFirewall, startReconcileLoop, type Firewall, type FirewallBan } from '../../../src/firewall/index.ts'

function countingMetrics (): { metrics: Metrics, counts: Map<string, number> } {
  const counts = new Map<string, number>()
  const counter = (name: string): Counter => ({
    inc (labels, value = 1) {
      const k = `${name}${JSON.stringify(labels ?? {})}`
      counts.set(k, (counts.get(k) ?? 0) + value)
    }
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
  const loop = startReconcileLoop({
    firewall: fw,
    expected: () => expected,
    allow: () => [],
    intervalMs: 30_000,
    clock,
    logger: silentLogger(),
    metrics
  })
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
  const loop = startReconcileLoop({
    firewall: fw,
    expected: () => expected,
    allow: () => [],
    intervalMs: 30_000,
    clock,
    logger: silentLogger()
  })
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
  const loop = startReconcileLoop({
    firewall: fw,
    expected: () => {
      calls++
      return []
    },
    allow: () => [],
    intervalMs: 30_000,
    clock,
    logger: silentLogger()
  })
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

/**
 * A kernel set as nft keeps it: each element's timeout runs on the monotonic clock; `list` reports now + what
 * is left.
 */
function kernelLike (clock: ManualClock): Firewall & { size: () => number } {
  const els = new Map<string, number>()
  const mono = (): number => clock.monotonic()
  const put = (bans: readonly FirewallBan[]): void => {
    for (const b of bans) els.set(b.subject, mono() + b.until - clock.now())
  }
  return {
    name: 'kernel-like',
    async start (bans) { els.clear(); put(bans) },
    async ban (bans) { put(bans) },
    async unban (subjects) { for (const s of subjects) els.delete(s) },
    async setAllow () {},
    async list () {
      const out: FirewallBan[] = []
      for (const [subject, due] of els) if (due > mono()) out.push({ subject, until: clock.now() + due - mono() })
      return out
    },
    async stop () {},
    size: () => [...els.values()].filter(due => due > mono()).length
  }
}

test('clock steps: +2 h removes no ban the store holds, -3 h stretches no kernel timeout', async () => {
  const { createDecisionEngine } = await import('../../../src/decide/index.ts')
  const { createStore } = await import('../../../src/store/index.ts')
  const { tempDir } = await import('../../helpers/tmp.ts')
  const { SELF } = await import('../../../src/common/model.ts')
  const clock = new ManualClock()
  const store = createStore({ path: await tempDir() })
  await store.start()
  const H = 3_600_000
  const engine = createDecisionEngine(
    {
      trust: {
        threshold: 2,
        quorum: 2,
        window: 24 * H,
        banFor: 24 * H,
        localWeight: 2,
        maxReportsPerPeerPerHour: 1000,
        maxRemoteBans: 10,
        honorRetractions: true,
        peers: []
      },
      escalation: null,
      allow: []
    },
    { store, clock, logger: silentLogger() }
  )
  const fw = kernelLike(clock)
  engine.subscribe({
    name: 'firewall',
    apply: d => {
      if (d.kind === 'ban') void fw.ban([{ subject: d.ban.ip!, until: d.ban.until }])
      else void fw.unban([d.ban.ip!])
    }
  })
  await engine.start()
  await fw.start([], [])
  for (let i = 1; i <= 21; i++) {
    const ip = `203.0.113.${i}`
    await engine.vote({ key: ip, ip, values: { ip }, author: SELF, weight: 2, filter: 'ssh.f', count: 3, observedAt: clock.now(), ttl: H, origin: 'detect' })
  }
  // passes run by hand (runOnce) so that each sees one wall-clock reading
  const loop = startReconcileLoop({
    firewall: fw,
    expected: () => engine.kernelBans(),
    allow: () => [],
    intervalMs: 24 * H,
    clock,
    logger: silentLogger()
  })
  clock.advance(10 * 60_000)
  clock.jump(2 * H)
  assert.deepEqual(
    await loop.runOnce(),
    { added: 0, removed: 0 },
    'the bans still have 50 min in the kernel and in the store'
  )
  assert.equal(fw.size(), 21)
  // a reconcile fed wall-clock ends (as before) would remove them all: the store still holds them
  const naive = startReconcileLoop({
    firewall: fw,
    expected: () => engine.bans().map(b => ({ subject: b.ip!, until: b.until })),
    allow: () => [],
    intervalMs: 24 * H,
    clock,
    logger: silentLogger()
  })
  assert.equal((await naive.runOnce()).removed, 0, 'never removes a ban the store holds')
  naive.stop()
  clock.jump(-5 * H) // now 3 h behind the bans' time
  assert.deepEqual(await loop.runOnce(), { added: 0, removed: 0 }, 'nothing re-added with a 3 h longer timeout')
  for (const b of (await fw.list())!) assert.ok(b.until - clock.now() <= 50 * 60_000, 'kernel timeouts unchanged')
  clock.advance(50 * 60_000 - 1)
  if (engine.bans().length !== 21) assert.fail('lifted early')
  clock.advance(1)
  const { waitFor } = await import('../../helpers/wait.ts')
  await waitFor('the expiry (a store write) is done', () => engine.bans().length === 0, 5000)
  assert.equal(fw.size(), 0)
  loop.stop()
  await engine.stop()
  await store.stop()
})

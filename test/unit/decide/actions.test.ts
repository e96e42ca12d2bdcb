import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ManualClock } from '../../../src/common/clock.ts'
import { silentLogger } from '../../../src/common/logger.ts'
import { SELF } from '../../../src/common/model.ts'
import { createDecisionEngine } from '../../../src/decide/index.ts'
import { ActionRunner } from '../../../src/decide/actions.ts'
import { createStore, type Store } from '../../../src/store/index.ts'
import type { ActionConfig, FilterConfig, TrustConfig } from '../../../src/config/types.ts'
import { tempDir } from '../../helpers/tmp.ts'
import { waitFor } from '../../helpers/wait.ts'

const H = 3_600_000
const APPEND = join(import.meta.dirname, '../../fixtures/bin/append.mjs')
const trust: TrustConfig = {
  threshold: 2,
  quorum: 2,
  window: 24 * H,
  banFor: 24 * H,
  localWeight: 2,
  maxReportsPerPeerPerHour: 1000,
  maxRemoteBans: 10,
  honorRetractions: true,
  peers: []
}

function action (name: string, out: string, extra: Partial<ActionConfig> = {}): ActionConfig {
  return { id: `s.f.${name}`, name, cmd: [process.execPath, APPEND, out, name, '<ip>'], after: 0, onexit: false, oneshot: false, ipv4only: false, ipv6only: false, ...extra }
}

function filter (actions: ActionConfig[], extra: Partial<FilterConfig> = {}): FilterConfig {
  return { id: 's.f', stream: 's', name: 'f', regex: ['x <ip>'], patterns: ['ip'], retry: 1, retryperiod: 0, duplicate: 'extend', actions, ban: 0, share: false, ...extra }
}

async function node (
  dir: string,
  store: Store,
  clock: ManualClock,
  f: FilterConfig,
  opts: { concurrency?: number; timeoutMs?: number } = {}
) {
  const components = { store, clock, logger: silentLogger() }
  const engine = createDecisionEngine({ trust, escalation: null, allow: [] }, components)
  const runner = new ActionRunner([f], opts.concurrency ?? -1, components, { timeoutMs: opts.timeoutMs })
  engine.subscribe(runner)
  await engine.start()
  await runner.start()
  await runner.idle()
  const vote = (ip: string) =>
    engine.vote({
      key: ip,
      ip,
      values: { ip },
      author: SELF,
      weight: 2,
      filter: f.id,
      count: 1,
      observedAt: clock.now(),
      ttl: Math.max(0, ...f.actions.map(a => a.after)),
      origin: 'detect',
      firewall: false
    })
  // the engine never waits for actions: these tests wait for them explicitly
  const trigger = async (ip: string) => {
    const d = await vote(ip)
    await runner.idle()
    return d
  }
  return { engine, runner, trigger, vote }
}

async function lines (file: string): Promise<string[]> {
  return (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean)
}

test('immediate actions run at the trigger, after-actions when their delay is over', async () => {
  const dir = await tempDir()
  const out = join(dir, 'out')
  const store = createStore({ path: join(dir, 'db') }); await store.start()
  const clock = new ManualClock()
  const f = filter([action('ban', out), action('unban', out, { after: 2 * H })])
  const { trigger, engine, runner } = await node(dir, store, clock, f)
  await trigger('203.0.113.1')
  assert.deepEqual(await lines(out), ['ban 203.0.113.1'])
  clock.advance(2 * H - 1)
  assert.equal(runner.pending().length, 1)
  clock.advance(1)
  await waitFor('unban action', async () => (await lines(out)).length === 2)
  assert.deepEqual(await lines(out), ['ban 203.0.113.1', 'unban 203.0.113.1'])
  await waitFor('pending cleared', () => runner.pending().length === 0)
  await runner.stop(); await engine.stop(); await store.stop()
})

test('after a restart: due actions run now, immediate ones replay unless oneshot, future ones stay scheduled', async () => {
  const dir = await tempDir()
  const out = join(dir, 'out')
  const clock = new ManualClock()
  const f = filter([action('ban', out), action('mail', out, { oneshot: true }), action('unban', out, { after: 2 * H }), action('later', out, { after: 10 * H })])
  let store = createStore({ path: join(dir, 'db') }); await store.start()
  let n = await node(dir, store, clock, f)
  await n.trigger('203.0.113.2')
  assert.deepEqual((await lines(out)).sort(), ['ban 203.0.113.2', 'mail 203.0.113.2'])
  // the daemon goes away without running anything more (as after kill -9)
  await n.runner.stop(); await n.engine.stop(); await store.stop()
  clock.advance(3 * H)
  store = createStore({ path: join(dir, 'db') }); await store.start()
  n = await node(dir, store, clock, f)
  const after = await lines(out)
  assert.deepEqual(after.slice(2).sort(), ['ban 203.0.113.2', 'unban 203.0.113.2'], 'ban replayed, overdue unban run, mail (oneshot) not replayed')
  assert.deepEqual(n.runner.pending().map(p => p.action), ['later'])
  await n.runner.stop(); await n.engine.stop(); await store.stop()
})

test('onexit actions run at stop; an admin unban runs the pending after-actions now', async () => {
  const dir = await tempDir()
  const out = join(dir, 'out')
  const store = createStore({ path: join(dir, 'db') }); await store.start()
  const clock = new ManualClock()
  const f = filter([action('unban', out, { after: 5 * H, onexit: true })])
  const { trigger, engine, runner } = await node(dir, store, clock, f)
  await trigger('203.0.113.3')
  await trigger('203.0.113.4')
  await engine.unban('203.0.113.3')
  await runner.idle()
  assert.deepEqual(await lines(out), ['unban 203.0.113.3'])
  await runner.stop()
  assert.deepEqual((await lines(out)).sort(), ['unban 203.0.113.3', 'unban 203.0.113.4'])
  await engine.stop(); await store.stop()
})

test('duplicate: extend reschedules pending actions, rerun runs them again', async () => {
  for (const duplicate of ['extend', 'rerun'] as const) {
    const dir = await tempDir()
    const out = join(dir, 'out')
    const store = createStore({ path: join(dir, 'db') }); await store.start()
    const clock = new ManualClock()
    const f = filter([action('ban', out), action('unban', out, { after: 2 * H })], { duplicate })
    const { trigger, engine, runner } = await node(dir, store, clock, f)
    await trigger('203.0.113.5')
    clock.advance(H)
    await trigger('203.0.113.5')
    clock.advance(H + 1)
    await new Promise(resolve => setTimeout(resolve, 200))
    const got = await lines(out)
    if (duplicate === 'extend') {
      assert.deepEqual(got, ['ban 203.0.113.5'], 'ban not rerun and unban moved to 2h after the second trigger')
      assert.equal(runner.pending()[0].due, clock.now() - H - 1 + 2 * H)
    } else {
      await waitFor('first unban', async () => (await lines(out)).length >= 3)
      assert.deepEqual((await lines(out)).sort(), ['ban 203.0.113.5', 'ban 203.0.113.5', 'unban 203.0.113.5'])
    }
    await runner.stop(); await engine.stop(); await store.stop()
  }
})

test('ipv4only and ipv6only actions skip the other family', async () => {
  const dir = await tempDir()
  const out = join(dir, 'out')
  const store = createStore({ path: join(dir, 'db') }); await store.start()
  const clock = new ManualClock()
  const f = filter([action('v4', out, { ipv4only: true }), action('v6', out, { ipv6only: true })])
  const { trigger, engine, runner } = await node(dir, store, clock, f)
  await trigger('203.0.113.6')
  await trigger('2001:db8::6')
  assert.deepEqual((await lines(out)).sort(), ['v4 203.0.113.6', 'v6 2001:db8::6'])
  await runner.stop(); await engine.stop(); await store.stop()
})

const SLOW = join(import.meta.dirname, '../../fixtures/bin/slow.mjs')

function slow (name: string, out: string, ms: number, extra: Partial<ActionConfig> = {}): ActionConfig {
  return { ...action(name, out, extra), cmd: [process.execPath, SLOW, out, String(ms), name, '<ip>'] }
}

test('a slow action delays no ban: the vote returns at once, actions run side by side', async () => {
  const dir = await tempDir()
  const out = join(dir, 'out')
  const store = createStore({ path: join(dir, 'db') }); await store.start()
  const clock = new ManualClock()
  const f = filter([slow('mail', out, 3000)], { ban: H })
  const { vote, engine, runner } = await node(dir, store, clock, f)
  const banned: string[] = []
  engine.subscribe({ name: 'kernel', apply: d => { banned.push(d.ban.key) } })
  const t0 = performance.now()
  await vote('203.0.113.10')
  await vote('203.0.113.11')
  const ms = performance.now() - t0
  assert.deepEqual(banned, ['203.0.113.10', '203.0.113.11'])
  assert.ok(ms < 1500, `two bans took ${Math.round(ms)} ms behind 3 s actions`)
  // both run at once (concurrency -1 = unlimited): both start before either ends
  await waitFor('both actions started', async () => (await lines(out)).filter(l => l.startsWith('start')).length === 2)
  assert.equal((await lines(out)).filter(l => l.startsWith('end')).length, 0)
  await runner.idle()
  assert.equal((await lines(out)).length, 4)
  await runner.stop(); await engine.stop(); await store.stop()
})

test('concurrency 1 runs one action at a time; a hung action is killed at its timeout and counted', async () => {
  const { PromMetrics } = await import('../../../src/control/metrics.ts')
  const dir = await tempDir()
  const out = join(dir, 'out')
  const store = createStore({ path: join(dir, 'db') }); await store.start()
  const clock = new ManualClock()
  const metrics = new PromMetrics()
  const components = { store, clock, logger: silentLogger(), metrics }
  const f = filter([slow('hang', out, 60_000)])
  const engine = createDecisionEngine({ trust, escalation: null, allow: [] }, components)
  const runner = new ActionRunner([f], 1, components, { timeoutMs: 400 })
  engine.subscribe(runner)
  await engine.start(); await runner.start()
  const vote = (ip: string) =>
    engine.vote({
      key: ip,
      ip,
      values: { ip },
      author: SELF,
      weight: 2,
      filter: f.id,
      count: 1,
      observedAt: clock.now(),
      ttl: 0,
      origin: 'detect',
      firewall: false
    })
  await vote('203.0.113.12')
  await vote('203.0.113.13')
  await waitFor('first action started', async () => (await lines(out)).length === 1)
  await new Promise(resolve => setTimeout(resolve, 150))
  assert.deepEqual(await lines(out), ['start hang 203.0.113.12'], 'the second waits for the first (concurrency 1)')
  await runner.idle()
  assert.deepEqual(await lines(out), ['start hang 203.0.113.12', 'start hang 203.0.113.13'], 'both killed before they could end')
  assert.match(await metrics.text(), /palisade_actions_timed_out_total 2/)
  await runner.stop(); await engine.stop(); await store.stop()
})

test('oneshot: its intent is stored before it runs, and a started oneshot is never run again after a kill', async () => {
  const dir = await tempDir()
  const out = join(dir, 'out')
  const clock = new ManualClock()
  const f = filter([action('ban', out), slow('mail', out, 1500, { oneshot: true, after: H }), action('later', out, { after: 10 * H })])
  let store = createStore({ path: join(dir, 'db') }); await store.start()
  let n = await node(dir, store, clock, f)
  await n.trigger('203.0.113.14')
  clock.advance(H)
  await waitFor('oneshot started', async () => (await lines(out)).includes('start mail 203.0.113.14'))
  const stored = [] as Array<{ steps: Array<{ action: string, done: boolean, started?: boolean }> }>
  for await (const [, r] of store.entries<typeof stored[number]>('pending')) stored.push(r)
  assert.deepEqual(
    stored[0].steps.find(s => s.action === 'mail'),
    { action: 'mail', due: clock.now(), done: false, started: true } as never,
    'intent stored, completion not yet: the state a kill -9 at this moment leaves'
  )
  // as after kill -9 while the command ran: drop this runner without its completion write
  const snapshot = stored[0]
  await n.runner.idle(); await n.runner.stop(); await n.engine.stop()
  await store.put('pending', (snapshot as unknown as { id: string }).id, snapshot)
  await store.stop()
  store = createStore({ path: join(dir, 'db') }); await store.start()
  const before = (await lines(out)).length
  n = await node(dir, store, clock, f)
  await n.runner.idle()
  const again = (await lines(out)).slice(before)
  assert.deepEqual(again, ['ban 203.0.113.14'], 'ban replayed (at least once), the interrupted oneshot not run again')
  assert.deepEqual(n.runner.pending().map(p => p.action), ['later'])
  await n.runner.stop(); await n.engine.stop(); await store.stop()
})

test('replay after restart: ipv4only/ipv6only for the right family only; no ban replayed after its unban ran', async () => {
  const dir = await tempDir()
  const out = join(dir, 'out')
  const clock = new ManualClock()
  const f = filter([action('ban4', out, { ipv4only: true }), action('ban6', out, { ipv6only: true }),
    action('unban', out, { after: H }), action('later', out, { after: 10 * H })])
  let store = createStore({ path: join(dir, 'db') }); await store.start()
  let n = await node(dir, store, clock, f)
  await n.trigger('2001:db8::7')
  assert.deepEqual(await lines(out), ['ban6 2001:db8::7'])
  await n.runner.stop(); await n.engine.stop(); await store.stop()
  store = createStore({ path: join(dir, 'db') }); await store.start()
  n = await node(dir, store, clock, f)
  await n.runner.idle()
  assert.deepEqual(await lines(out), ['ban6 2001:db8::7', 'ban6 2001:db8::7'], 'the IPv4-only action is not replayed with an IPv6 address')
  clock.advance(H)
  await waitFor('unban ran', async () => (await lines(out)).includes('unban 2001:db8::7'))
  await n.runner.idle(); await n.runner.stop(); await n.engine.stop(); await store.stop()
  store = createStore({ path: join(dir, 'db') }); await store.start()
  n = await node(dir, store, clock, f)
  await n.runner.idle()
  assert.deepEqual((await lines(out)).slice(3), [], 'the unban ran: replaying the ban would leave the address banned for good')
  assert.deepEqual(n.runner.pending().map(p => p.action), ['later'])
  await n.runner.stop(); await n.engine.stop(); await store.stop()
})

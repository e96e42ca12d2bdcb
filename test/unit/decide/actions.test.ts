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
const trust: TrustConfig = { threshold: 2, quorum: 2, window: 24 * H, banFor: 24 * H, localWeight: 2, maxReportsPerPeerPerHour: 1000, maxRemoteBans: 10, honorRetractions: true, peers: [] }

function action (name: string, out: string, extra: Partial<ActionConfig> = {}): ActionConfig {
  return { id: `s.f.${name}`, name, cmd: [process.execPath, APPEND, out, name, '<ip>'], after: 0, onexit: false, oneshot: false, ipv4only: false, ipv6only: false, ...extra }
}

function filter (actions: ActionConfig[], extra: Partial<FilterConfig> = {}): FilterConfig {
  return { id: 's.f', stream: 's', name: 'f', regex: ['x <ip>'], patterns: ['ip'], retry: 1, retryperiod: 0, duplicate: 'extend', actions, ban: 0, share: false, ...extra }
}

async function node (dir: string, store: Store, clock: ManualClock, f: FilterConfig) {
  const components = { store, clock, logger: silentLogger() }
  const engine = createDecisionEngine({ trust, escalation: null, allow: [] }, components)
  const runner = new ActionRunner([f], 0, components)
  engine.subscribe(runner)
  await engine.start()
  await runner.start()
  const trigger = (ip: string) => engine.vote({
    key: ip, ip, values: { ip }, author: SELF, weight: 2, filter: f.id, count: 1, observedAt: clock.now(),
    ttl: Math.max(0, ...f.actions.map(a => a.after)), origin: 'detect', firewall: false
  })
  return { engine, runner, trigger }
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

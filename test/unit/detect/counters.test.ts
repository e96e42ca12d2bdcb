import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ManualClock } from '../../../src/common/clock.ts'
import type { Match } from '../../../src/common/model.ts'
import { createStore } from '../../../src/store/index.ts'
import { Counters } from '../../../src/detect/counters.ts'
import { filter } from './fixtures.ts'

const H = 3_600_000
const match = (key: string, time: number): Match => ({ filter: 's.f', values: { ip: key }, key, ip: key, time })

test('retry within retryperiod triggers on the match that reaches it, then resets', () => {
  const clock = new ManualClock()
  const c = new Counters(100)
  const f = filter(['x <ip>'], { retry: 3, retryperiod: 6 * H })
  assert.equal(c.add(f, match('192.0.2.1', clock.now())).triggered, false)
  clock.advance(5 * H)
  assert.equal(c.add(f, match('192.0.2.1', clock.now())).count, 2)
  clock.advance(2 * H) // the first match is now outside the 6 h period
  const r = c.add(f, match('192.0.2.1', clock.now()))
  assert.deepEqual(r, { count: 2, triggered: false })
  clock.advance(H)
  assert.deepEqual(c.add(f, match('192.0.2.1', clock.now())), { count: 3, triggered: true })
  assert.equal(c.list().length, 0, 'reset after trigger')
  assert.equal(c.add(f, match('192.0.2.1', clock.now())).count, 1)
})

test('retry 1 triggers on every match and keeps nothing', () => {
  const c = new Counters(100)
  const f = filter(['x <ip>'], { retry: 1 })
  assert.equal(c.add(f, match('192.0.2.1', 1)).triggered, true)
  assert.equal(c.add(f, match('192.0.2.1', 2)).triggered, true)
  assert.equal(c.size, 0)
})

test('at the cap the oldest-updated counter is evicted and counted', () => {
  let evicted = 0
  const c = new Counters(2, () => evicted++)
  const f = filter(['x <ip>'], { retry: 5, retryperiod: H })
  c.add(f, match('a', 1))
  c.add(f, match('b', 2))
  c.add(f, match('a', 3)) // a updated: b is now the oldest
  c.add(f, match('c', 4))
  assert.deepEqual(c.list().map(i => i.key).sort(), ['a', 'c'])
  assert.equal(evicted, 1)
  assert.equal(c.list('a')[0].count, 2)
})

test('counters persist per stream and reload without expired times', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pal-counters-'))
  after(() => rm(dir, { recursive: true, force: true }))
  const store = createStore({ path: dir })
  await store.start()
  after(() => store.stop())
  const clock = new ManualClock()
  const f = filter(['x <ip>'], { retry: 5, retryperiod: H })
  const c = new Counters(100)
  c.add(f, match('192.0.2.1', clock.now()))
  clock.advance(H / 2)
  c.add(f, match('192.0.2.1', clock.now()))
  c.add(f, match('192.0.2.2', clock.now()))
  const b = store.batch()
  c.drain('other-stream', b)
  assert.equal(b.length, 0)
  c.drain('s', b)
  await b.write()
  assert.equal(c.hasDirty('s'), false)
  clock.advance(H * 0.75) // the first match of .1 is now past its period
  const d = new Counters(100)
  await d.load(store, new Map([[f.id, f]]), clock.now())
  assert.deepEqual(d.list().map(i => [i.key, i.count]).sort(), [['192.0.2.1', 1], ['192.0.2.2', 1]])
  const rb = store.batch()
  assert.equal(d.reset('192.0.2.1', rb), 1)
  await rb.write()
  const e = new Counters(100)
  await e.load(store, new Map([[f.id, f]]), clock.now())
  assert.deepEqual(e.list().map(i => i.key), ['192.0.2.2'])
})

test('a counter created and evicted between two writes costs no store operation; one written before is deleted', () => {
  const c = new Counters(2)
  const f = filter(['x <ip>'], { retry: 5, retryperiod: H })
  c.add(f, match('192.0.2.1', 1))
  assert.deepEqual([...c.take('s')!.keys()], ['s.f\x00192.0.2.1'], 'written with the first batch')
  c.add(f, match('192.0.2.2', 2))
  c.add(f, match('192.0.2.3', 3)) // evicts 192.0.2.1 (stored: must be deleted)
  c.add(f, match('192.0.2.4', 4)) // evicts 192.0.2.2 (never written: nothing to delete)
  assert.deepEqual([...c.take('s')!], [['s.f\x00192.0.2.3', [3]], ['s.f\x00192.0.2.1', null], ['s.f\x00192.0.2.4', [4]]])
})

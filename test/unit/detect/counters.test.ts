import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ManualClock } from '../../../src/common/clock.ts'
import type { Match } from '../../../src/common/model.ts'
import { createStore } from '../../../src/store/index.ts'
import { Counters, type CounterDelta } from '../../../src/detect/counters.ts'
import { decodeRecord, storedCounters } from '../../../src/detect/counter-log.ts'
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
  const c = new Counters(2, n => { evicted += n })
  const f = filter(['x <ip>'], { retry: 5, retryperiod: H })
  c.add(f, match('a', 1))
  c.add(f, match('b', 2))
  c.add(f, match('a', 3)) // a updated: b is now the oldest
  c.add(f, match('c', 4))
  assert.deepEqual(c.list().map(i => i.key).sort(), ['a', 'c'])
  c.take('s')
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

test('a counter created and evicted between two writes costs no store operation; one written before is deleted', async () => {
  const c = new Counters(2)
  const f = filter(['x <ip>'], { retry: 5, retryperiod: H })
  const entries = (d: CounterDelta | undefined) =>
    decodeRecord(JSON.parse(d!.value.text)).entries.map(e => [e.key, e.times])
  c.add(f, match('192.0.2.1', 1))
  assert.deepEqual(entries(c.take('s')), [['192.0.2.1', [1]]], 'written with the first batch')
  c.add(f, match('192.0.2.2', 2))
  c.add(f, match('192.0.2.3', 3)) // evicts 192.0.2.1 (stored: must be deleted)
  c.add(f, match('192.0.2.4', 4)) // evicts 192.0.2.2 (never written: nothing to delete)
  assert.deepEqual(entries(c.take('s')), [['192.0.2.1', null], ['192.0.2.3', [3]], ['192.0.2.4', [4]]])
  assert.equal(c.take('s'), undefined, 'nothing changed since')
})

test('evictions are reported once per take, counted', () => {
  const seen: number[] = []
  const c = new Counters(2, n => seen.push(n))
  const f = filter(['x <ip>'], { retry: 5, retryperiod: H })
  for (let i = 1; i <= 5; i++) c.add(f, match(`192.0.2.${i}`, i))
  c.take('s')
  assert.deepEqual(seen, [3])
})

test('keys of every shape: IPv4 as numbers, others (IPv6, tuples, leading zeros) as text', () => {
  const c = new Counters(100)
  const f = filter(['x <ip>'], { retry: 5, retryperiod: H })
  const keys = ['0.0.0.0', '255.255.255.255', '128.0.0.1', '2001:db8::/64', 'root\t192.0.2.1', '010.0.0.1', '1.2.3']
  for (const k of keys) c.add(f, match(k, 1))
  c.add(f, match('128.0.0.1', 2))
  assert.deepEqual(c.list().map(i => [i.key, i.count]), [...keys.filter(k => k !== '128.0.0.1').map(k => [k, 1]), ['128.0.0.1', 2]])
  assert.deepEqual(c.list('128.0.0.1').map(i => i.count), [2])
  assert.equal(c.list('10.0.0.1').length, 0, 'a leading zero is another key')
})

test('times out of order: each one expires on its own', () => {
  const c = new Counters(100)
  const f = filter(['x <ip>'], { retry: 4, retryperiod: 10 })
  c.add(f, match('192.0.2.1', 100))
  c.add(f, match('192.0.2.1', 95))
  assert.equal(c.add(f, match('192.0.2.1', 106)).count, 2, '95 is past 106 - 10, 100 is not')
  assert.equal(c.list()[0].since, 100)
})

test('the log is replaced by a snapshot once it outgrows it; a reload reads the same counters', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pal-counters-'))
  after(() => rm(dir, { recursive: true, force: true }))
  const store = createStore({ path: dir })
  await store.start()
  after(() => store.stop())
  const f = filter(['x <ip>'], { retry: 1000, retryperiod: H })
  const c = new Counters(3000)
  let snapshots = 0
  for (let round = 0; round < 200; round++) {
    for (let i = 0; i < 2000; i++) c.add(f, match(`10.${round}.${i >> 8}.${i & 255}`, round * 2000 + i))
    c.add(f, match('192.0.2.1', round * 2000 + 2000))
    const d = c.take('s')!
    if (d.replaces.length > 0) snapshots++
    const b = store.batch()
    b.put('counters', d.key, d.value)
    for (const k of d.replaces) b.del('counters', k)
    await b.write()
  }
  assert.ok(snapshots >= 1, 'at least one snapshot')
  let records = 0
  for await (const [k] of store.entries('counters')) if (k !== '') records++
  assert.ok(records < 100, `${records} records left in the store`)
  const stored = await storedCounters(store)
  assert.equal(stored.size, 3000)
  assert.equal(stored.get('s.f\x00192.0.2.1')?.length, 200, 'touched every round: never evicted')
  const d = new Counters(3000)
  await d.load(store, new Map([[f.id, f]]), 400_000)
  assert.deepEqual(d.list().map(i => [i.key, i.count]), c.list().map(i => [i.key, i.count]))
  assert.equal((await storedCounters(store)).size, 3000, 'load rewrote the log as one snapshot')
})

test('the per-counter format written before the log is read and migrated', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pal-counters-'))
  after(() => rm(dir, { recursive: true, force: true }))
  const store = createStore({ path: dir })
  await store.start()
  after(() => store.stop())
  const f = filter(['x <ip>'], { retry: 5, retryperiod: H })
  await store.batch().put('counters', 's.f\x00192.0.2.1', [10, 20]).put('counters', 's.gone\x00192.0.2.2', [10]).write()
  const c = new Counters(100)
  await c.load(store, new Map([[f.id, f]]), 30)
  assert.deepEqual(c.list().map(i => [i.key, i.count, i.since]), [['192.0.2.1', 2, 10]])
  const keys: string[] = []
  for await (const [k] of store.entries('counters')) keys.push(k)
  assert.deepEqual(keys, ['s\x00000000000000'], 'one snapshot, the old keys deleted')
  assert.deepEqual([...(await storedCounters(store))], [['s.f\x00192.0.2.1', [10, 20]]])
})

test('resnapshot: the next take is a snapshot that replaces every record taken before it', () => {
  const c = new Counters(100)
  const f = filter(['x <ip>'], { retry: 5, retryperiod: H })
  c.add(f, match('192.0.2.1', 1))
  const first = c.take('s')!
  c.add(f, match('192.0.2.2', 2))
  const second = c.take('s')!
  c.resnapshot('s')
  const snap = c.take('s')!
  assert.deepEqual(snap.replaces, [first.key, second.key])
  const rec = decodeRecord(JSON.parse(snap.value.text))
  assert.equal(rec.snapshot, true)
  assert.deepEqual(rec.entries.map(e => [e.key, e.times]), [['192.0.2.1', [1]], ['192.0.2.2', [2]]])
  assert.equal(c.take('s'), undefined, 'nothing after it')
})

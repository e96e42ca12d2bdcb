import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../../src/common/clock.ts'
import { silentLogger } from '../../../src/common/logger.ts'
import { SELF, type Decision, type Vote } from '../../../src/common/model.ts'
import { createDecisionEngine } from '../../../src/decide/index.ts'
import { createStore, type Store } from '../../../src/store/index.ts'
import type { TrustConfig } from '../../../src/config/types.ts'
import { tempDir } from '../../helpers/tmp.ts'
import { FailingStore } from '../../helpers/failing-store.ts'

const H = 3_600_000
const trust: TrustConfig = {
  threshold: 2, quorum: 2, window: 24 * H, banFor: 24 * H, localWeight: 2, maxReportsPerPeerPerHour: 1000,
  maxRemoteBans: 3, honorRetractions: true, peers: []
}

async function setup () {
  const dir = await tempDir()
  const clock = new ManualClock()
  const store = new FailingStore(createStore({ path: dir }))
  await store.start()
  const make = (s: Store = store) =>
    createDecisionEngine({ trust, escalation: null, allow: [] }, { store: s, clock, logger: silentLogger() })
  const engine = make()
  const seen: Decision[] = []
  engine.subscribe({ name: 'record', apply: d => { seen.push(d) } })
  await engine.start()
  const local = (ip: string): Vote => ({ key: ip, ip, values: { ip }, author: SELF, weight: 2, filter: 'ssh.fail', count: 3, observedAt: clock.now(), ttl: H, origin: 'detect' })
  return { clock, store, engine, seen, local, make }
}

async function count (store: Store, area: 'bans' | 'outbox' | 'decisions'): Promise<number> {
  let n = 0
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- only counted
  for await (const _entry of store.entries(area)) n++
  return n
}

test('voteMany: a burst of 5,000 votes is one store write, each outbox entry deleted with the decisions', async () => {
  const { engine, store, seen, local } = await setup()
  const votes: Vote[] = []
  const b = store.inner.batch()
  for (let i = 0; i < 5000; i++) {
    const ip = `198.18.${i >> 8}.${i & 255}`
    votes.push(local(ip))
    b.put('outbox', `s\0${i}`, { filter: 'ssh.fail', key: ip, values: { ip }, count: 3, time: 0 })
  }
  await b.write()
  const writes = store.writes
  const out = await engine.voteMany(votes, votes.map((_, i) => `s\0${i}`))
  assert.equal(store.writes - writes, 1, 'one batch for the whole burst')
  assert.equal(out.filter(d => d?.kind === 'ban').length, 5000)
  assert.equal(seen.length, 5000)
  assert.equal(await count(store, 'bans'), 5000)
  assert.equal(await count(store, 'outbox'), 0)
  assert.equal(await count(store, 'decisions'), 5000)
})

test('voteMany: two votes for one key in a batch make one ban, then an extension; a refused vote costs nothing else', async () => {
  const { engine, local, clock } = await setup()
  const a = local('203.0.113.20')
  clock.advance(1000)
  const out = await engine.voteMany([a, { ...local('203.0.113.20'), ttl: 2 * H }, { ...local('127.0.0.1'), origin: 'manual' }, local('203.0.113.21')])
  assert.deepEqual(out.map(d => d === null ? null : d.kind === 'ban' && d.extended), [false, true, null, false])
  assert.equal(engine.get('203.0.113.20')?.until, clock.now() + 2 * H)
  assert.equal(engine.bans().length, 2)
})

test('a failing store (full disk) does not stop bans: they stand in memory and in the sinks', async () => {
  const { engine, store, seen, local } = await setup()
  store.failNext = 2
  const d = await engine.vote(local('203.0.113.22'))
  const many = await engine.voteMany([local('203.0.113.23'), local('203.0.113.24')])
  assert.equal(d?.kind, 'ban')
  assert.equal(many.filter(x => x !== null).length, 2)
  assert.deepEqual(seen.map(x => x.ban.key), ['203.0.113.22', '203.0.113.23', '203.0.113.24'])
  assert.equal(engine.bans().length, 3)
  assert.equal(store.failures, 2)
  assert.equal(await count(store, 'bans'), 0, 'nothing reached the disk')
  // the disk has room again: the next write stores its decision and those the failed writes lost
  await engine.vote(local('203.0.113.25'))
  assert.equal(await count(store, 'bans'), 4)
})

test('clock steps: +2 h does not lift a 1 h ban early, -3 h does not stretch it; the kernel is given the true remaining time', async () => {
  const { engine, local, clock, seen } = await setup()
  await engine.vote(local('203.0.113.26'))
  clock.advance(30 * 60_000)
  clock.jump(2 * H)
  assert.equal(engine.get('203.0.113.26') !== undefined, true)
  const k = engine.kernelBans()[0]
  assert.equal(k.until - clock.now(), 30 * 60_000, 'kernel timeout = monotonic remaining time, not until - wall')
  clock.jump(-5 * H) // now 3 h behind the time of the ban
  assert.equal(engine.kernelBans()[0].until - clock.now(), 30 * 60_000)
  // a repeat asking for the same hour lengthens the ban to one hour from now, measured monotonically
  clock.advance(10 * 60_000)
  await engine.vote(local('203.0.113.26'))
  assert.equal(engine.kernelBans()[0].until - clock.now(), H)
  clock.advance(H - 1)
  assert.equal(seen.filter(d => d.kind === 'unban').length, 0)
  clock.advance(1)
  await new Promise(resolve => setImmediate(resolve))
  await engine.stop()
  assert.deepEqual(seen.map(d => d.kind), ['ban', 'ban', 'unban'], 'lifted after exactly its remaining hour')
})

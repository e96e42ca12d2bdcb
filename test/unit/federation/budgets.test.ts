import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../../src/common/clock.ts'
import { createLogger } from '../../../src/common/logger.ts'
import { Writable } from 'node:stream'
import { TokenBuckets } from '../../../src/common/token-buckets.ts'
import { PeerGuard } from '../../../src/federation/peer-guard.ts'
import { RejectLog } from '../../../src/federation/reject-log.ts'
import { SeenCache, covers, mergeRanges } from '../../../src/federation/dedupe.ts'
import { parseRequest, SYNC_MAX_RANGES, SYNC_MAX_RANGES_PER_AUTHOR } from '../../../src/federation/sync.ts'
import { tempStore } from './helpers.ts'

describe('token buckets', () => {
  test('burst, refill, partial takes', () => {
    const b = new TokenBuckets({ burst: 10, perSecond: 2 })
    assert.equal(b.take('p', 0, 10), true)
    assert.equal(b.take('p', 0), false)
    assert.equal(b.take('p', 500), true, 'one token back after 0.5 s at 2/s')
    assert.equal(b.takeUpTo('p', 10_000, 50), 10, 'never more than the burst')
    assert.equal(b.take('q', 10_000, 10), true, 'each peer has its own')
  })
})

describe('peer guard', () => {
  test('invalid messages past the limit earn a penalty that doubles, then ends', () => {
    const g = new PeerGuard({ invalidLimit: 3, invalidWindow: 1000, backoffBase: 100, backoffMax: 350 })
    assert.equal(g.invalid('p', 0), undefined)
    assert.equal(g.invalid('p', 1), undefined)
    assert.equal(g.invalid('p', 2), 102)
    assert.equal(g.isPenalised('p', 101), true)
    assert.equal(g.isPenalised('p', 102), false)
    for (let i = 0; i < 2; i++) g.invalid('p', 200)
    assert.equal(g.invalid('p', 200), 400, 'second offence: twice as long')
    for (let i = 0; i < 2; i++) g.invalid('p', 500)
    assert.equal(g.invalid('p', 500), 850, 'capped at backoffMax')
    assert.equal(g.isPenalised('other', 500), false)
  })

  test('invalid messages spread wider than the window are forgiven', () => {
    const g = new PeerGuard({ invalidLimit: 2, invalidWindow: 1000 })
    assert.equal(g.invalid('p', 0), undefined)
    assert.equal(g.invalid('p', 5000), undefined)
  })

  test('message budget per peer', () => {
    const g = new PeerGuard({ burst: 2, perSecond: 1 })
    assert.equal(g.admit('p', 0), true)
    assert.equal(g.admit('p', 0), true)
    assert.equal(g.admit('p', 0), false)
    assert.equal(g.admit('q', 0), true)
  })
})

describe('reject log', () => {
  test('one line per peer and reason per interval, then one summary line', () => {
    const out: any[] = []
    const log = createLogger({ level: 'info', destination: new Writable({ write (c, _e, d) { out.push(...String(c).trim().split('\n').map(l => JSON.parse(l))); d() } }) })
    const clock = new ManualClock()
    const r = new RejectLog(log, clock, 1000)
    for (let i = 0; i < 5000; i++) r.note('p', 'signature', 'a')
    r.note('p', 'decode', undefined)
    r.note('q', 'signature', 'a')
    assert.equal(out.length, 3)
    clock.advance(1000)
    assert.equal(out.length, 4)
    assert.equal(out[3].msg, 'more observations rejected')
    assert.equal(out[3].count, 4999)
    r.note('p', 'signature', 'a')
    assert.equal(out.length, 5, 'a new interval logs the first one at once')
  })
})

describe('sync ranges', () => {
  test('merge and binary search', () => {
    const m = mergeRanges([[10, 12], [1, 3], [4, 5], [20, 19], [11, 15]])
    assert.deepEqual(m, [[1, 5], [10, 15]])
    assert.equal(covers(m, 3), true)
    assert.equal(covers(m, 7), false)
    assert.equal(covers(m, 15), true)
    assert.equal(covers(m, 16), false)
  })

  test('a request over the caps is refused before its ranges are read', () => {
    const many = (n: number): Array<[number, number]> => Array.from({ length: n }, (_, i) => [2 * i, 2 * i])
    assert.throws(() => parseRequest({ v: 1, have: { a: many(SYNC_MAX_RANGES_PER_AUTHOR + 1) } }), (e: any) => e.reason === 'too-many-ranges')
    const wide: Record<string, Array<[number, number]>> = {}
    for (let i = 0; i * SYNC_MAX_RANGES_PER_AUTHOR <= SYNC_MAX_RANGES; i++) wide[`a${i}`] = many(SYNC_MAX_RANGES_PER_AUTHOR)
    assert.throws(() => parseRequest({ v: 1, have: wide }), (e: any) => e.reason === 'too-many-ranges')
    assert.throws(() => parseRequest({ v: 1, have: [] }), (e: any) => e.reason === 'malformed')
    assert.deepEqual({ ...parseRequest({ v: 1, have: { a: [[1, 2], 'x'] } }) }, { a: [[1, 2]] })
  })

  test('missing: what the requester lacks, at most the limit; a deferred entry counts as held until it cools off', async () => {
    const { store } = await tempStore()
    const seen = new SeenCache(store)
    for (let s = 1; s <= 10; s++) seen.add('a', s, 1000)
    seen.defer('b', 1, 50)
    assert.deepEqual((await seen.missing({ a: [[1, 4], [6, 10]] }, 0)).length, 2, 'a5 and b1')
    assert.equal((await seen.missing({}, 0, 3)).length, 3)
    assert.equal(seen.has('b', 1, 49), true)
    assert.equal(seen.has('b', 1, 51), false)
    assert.equal(seen.claimNow('b', 1, 1000, 51), true, 'after the cool-off a copy may be taken again')
    assert.deepEqual(seen.ranges(0, 10, 256, 1), { a: [[1, 10]] }, 'total range cap')
  })
})

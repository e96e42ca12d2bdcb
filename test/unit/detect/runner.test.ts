import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../../src/common/clock.ts'
import { silentLogger } from '../../../src/common/logger.ts'
import { createStore } from '../../../src/store/index.ts'
import { compileFilter, type Trigger } from '../../../src/detect/index.ts'
import { Counters } from '../../../src/detect/counters.ts'
import { readOutbox, StreamRunner } from '../../../src/detect/runner.ts'
import { storedCounters } from '../../../src/detect/counter-log.ts'
import { tempDir } from '../../helpers/tmp.ts'
import { FailingStore } from '../../helpers/failing-store.ts'
import { commandStream, filter, ipPattern } from './fixtures.ts'

const H = 3_600_000

async function setup (retry: number) {
  const dir = await tempDir()
  const store = new FailingStore(createStore({ path: dir }))
  await store.start()
  const clock = new ManualClock()
  const f = filter(['fail <ip>'], { retry, retryperiod: retry > 1 ? H : 0 })
  const counters = new Counters(1000)
  const got: Trigger[][] = []
  const runner = new StreamRunner({
    stream: commandStream('s', ['x'], [f]),
    filters: [compileFilter(f, { ip: ipPattern() })],
    counters,
    store,
    clock,
    log: silentLogger(),
    // the engine never answers: as if the process were killed right after the runner's write
    onTriggers: async ts => { got.push(ts) }
  })
  return { store, clock, runner, counters, got }
}

test('the triggers of a batch are stored in the outbox in the same write as the counters and checkpoint', async () => {
  const { store, runner, got } = await setup(2)
  const writes = store.writes
  await runner.sink({ lines: ['fail 198.51.100.1', 'fail 198.51.100.2', 'fail 198.51.100.1', 'noise'], time: 1000, checkpoint: { offset: 42 } })
  assert.equal(store.writes - writes, 1, 'one write')
  assert.equal(got.length, 1, 'handed on as one batch')
  assert.deepEqual(got[0].map(t => t.match.key), ['198.51.100.1'])
  const outbox = await readOutbox(store)
  assert.equal(outbox.length, 1)
  assert.equal(got[0][0].outbox, outbox[0][0], 'the trigger carries its outbox key for the engine to delete')
  assert.deepEqual(outbox[0][1], { filter: 's.f', key: '198.51.100.1', ip: '198.51.100.1', values: { ip: '198.51.100.1' }, count: 2, time: 1000 })
  assert.deepEqual(await store.get('checkpoints', 's'), { offset: 42 })
  const stored = await storedCounters(store)
  assert.equal(stored.get('s.f\x00198.51.100.1'), undefined, 'reset with the trigger')
  assert.deepEqual(stored.get('s.f\x00198.51.100.2'), [1000])
})

test('a failing store (ENOSPC) does not stop the stream: counting and triggers go on, the write is retried with backoff', async () => {
  const { store, runner, got, clock, counters } = await setup(2)
  store.failNext = 2
  await runner.sink({ lines: ['fail 198.51.100.3', 'fail 198.51.100.4'], time: 1000, checkpoint: { offset: 1 } })
  await runner.sink({ lines: ['fail 198.51.100.3'], time: 2000, checkpoint: { offset: 2 } })
  assert.equal(store.failures, 2)
  assert.deepEqual(got.flat().map(t => t.match.key), ['198.51.100.3'], 'the trigger went on from memory')
  assert.equal(got[0][0].outbox, undefined, 'not durable: no outbox key')
  assert.equal(counters.list().length, 1)
  assert.equal(await store.get('checkpoints', 's'), undefined)
  clock.advance(1000) // the first retry, 1 s after the first failure, finds room again
  await new Promise(resolve => setImmediate(resolve))
  await runner.flush()
  assert.deepEqual(await store.get('checkpoints', 's'), { offset: 2 }, 'the latest checkpoint')
  const stored = await storedCounters(store)
  assert.deepEqual(stored.get('s.f\x00198.51.100.4'), [1000])
  assert.equal(stored.get('s.f\x00198.51.100.3'), undefined, 'its reset is stored too')
  assert.equal((await readOutbox(store)).length, 0)
  // and the stream is still alive
  await runner.sink({ lines: ['fail 198.51.100.4'], time: 3000, checkpoint: { offset: 3 } })
  assert.deepEqual(got.flat().map(t => t.match.key), ['198.51.100.3', '198.51.100.4'])
  assert.equal(typeof got[1][0].outbox, 'string')
  runner.stop()
})

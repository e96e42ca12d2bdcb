import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Batcher } from '../../../src/firewall/batcher.ts'

test('calls made while a flush is in flight are coalesced into the next flush', async () => {
  const flushes: number[][] = []
  const batcher = new Batcher<number>(async ops => {
    flushes.push(ops)
    await new Promise(resolve => setTimeout(resolve, 5))
  })
  await Promise.all(Array.from({ length: 1000 }, (_, i) => batcher.submit([i])))
  assert.ok(flushes.length <= 2, `1000 same-tick calls took ${flushes.length} flushes`)
  assert.deepEqual(flushes.flat(), Array.from({ length: 1000 }, (_, i) => i), 'order kept, nothing lost')
})

test('one failing op rejects only its own caller; the others are applied', async () => {
  const applied: number[] = []
  const batcher = new Batcher<number>(async ops => {
    if (ops.includes(13)) throw new Error('bad element 13')
    applied.push(...ops)
  })
  const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => batcher.submit([i])))
  assert.deepEqual(results.flatMap((r, i) => r.status === 'rejected' ? [i] : []), [13])
  assert.deepEqual(applied.sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i).filter(i => i !== 13))
  await batcher.idle()
})

test('one call of many ops with one bad element: the others are applied, the call rejects', async () => {
  const applied: number[] = []
  let applies = 0
  const batcher = new Batcher<number>(async ops => {
    applies++
    if (ops.includes(700)) throw new Error('bad element 700')
    applied.push(...ops)
  })
  await assert.rejects(batcher.submit(Array.from({ length: 1000 }, (_, i) => i)), /bad element 700/)
  assert.deepEqual(applied.sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i).filter(i => i !== 700))
  assert.ok(applies <= 25, `isolated in ${applies} applies (halving, not one per element)`)
})

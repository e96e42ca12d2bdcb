import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RemoteBudget } from '../../../src/decide/remote-budget.ts'

test('a lone reporter gets half the cap; each member its share; refusals attributed and waiting', () => {
  const b = new RemoteBudget(10, 0)
  for (let i = 0; i < 8; i++) {
    const why = b.refusal(`a${i}`, ['A'])
    if (why === null) b.update(`a${i}`, ['A'])
  }
  assert.equal(b.statsOf('A').held, 5, 'alone: half the cap')
  assert.deepEqual(b.statsOf('A').refused, { cap: 0, share: 3 })
  assert.equal(b.refusal('h1', ['H']), null, 'an honest member still has room')
  b.update('h1', ['H'])
  assert.equal(b.hasWaiting(), true)
  assert.deepEqual(b.takeWaiting(2), ['a5', 'a6'])
  assert.deepEqual(b.takeWaiting(), ['a7'])
})

test('a co-voted ban is charged to the reporter holding the fewest; the cap is reachable', () => {
  const b = new RemoteBudget(3, 0)
  for (const k of ['x', 'y', 'z']) {
    assert.equal(b.refusal(k, ['A', 'B']), null)
    b.update(k, ['A', 'B'])
  }
  assert.equal(b.statsOf('A').held + b.statsOf('B').held, 3)
  assert.equal(b.refusal('w', ['A', 'B']), 'cap')
  assert.equal(b.hasWaiting(), false, 'no room: nothing to tally again')
  b.update('x', null)
  assert.equal(b.hasWaiting(), true)
  assert.equal(b.total, 2)
})

test('configured members divide the cap from the start', () => {
  const b = new RemoteBudget(100, 4)
  assert.equal(b.share(['A']), 25)
})

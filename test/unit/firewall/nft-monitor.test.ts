import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../../src/common/clock.ts'
import { silentLogger } from '../../../src/common/logger.ts'
import { NftMonitor } from '../../../src/firewall/nft-monitor.ts'

function monitor (): { m: NftMonitor, seen: string[], clock: ManualClock } {
  const clock = new ManualClock(0)
  const seen: string[] = []
  const m = new NftMonitor({ table: 'palisade', clock, logger: silentLogger(), onForeign: w => seen.push(w) })
  return { m, seen, clock }
}

test('a flush by another process is reported once per burst', () => {
  const { m, seen, clock } = monitor()
  m.feed('delete set inet palisade ban4\ndelete chain inet palisade input\ndelete table inet palisade\ndelete table ip other\n')
  m.feed('# new generation 9 by process 4242 (nft)\n')
  m.feed('add table inet palisade\n# new generation 10 by process 4243 (nft)\n')
  assert.deepEqual(seen, [], 'debounced')
  clock.advance(100)
  assert.deepEqual(seen, ['delete set'])
})

test('our own transactions, other tables and partial lines are not drift', () => {
  const { m, seen, clock } = monitor()
  m.ours(777)
  m.feed('add table inet palisade\ndelete table inet palisade\nadd set inet palisade ban4 { }\n# new generation 3 by process 777 (nft)\n')
  m.feed('delete table inet palisadex\n# new generation 4 by process 9 (nft)\n')
  m.feed('delete table inet pali')
  clock.advance(100)
  assert.deepEqual(seen, [])
  m.feed('sade\n# new gen')
  m.feed('eration 5 by process 10 (nft)\n')
  clock.advance(100)
  assert.deepEqual(seen, ['delete table'])
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createStore, JsonText } from '../../../src/store/index.ts'
import { tempDir } from '../../helpers/tmp.ts'

test('a JsonText value is written as it is and reads back parsed, in a batch and alone', async () => {
  const store = createStore({ path: await tempDir() })
  await store.start()
  try {
    await store.batch().put('meta', 'a', new JsonText('"QUJD"')).put('meta', 'b', { n: 1 }).write()
    await store.put('meta', 'c', new JsonText('[1,2]'))
    assert.equal(await store.get('meta', 'a'), 'QUJD')
    assert.deepEqual(await store.get('meta', 'b'), { n: 1 })
    assert.deepEqual(await store.get('meta', 'c'), [1, 2])
    const all: Array<[string, unknown]> = []
    for await (const e of store.entries('meta')) all.push(e)
    assert.deepEqual(all, [['a', 'QUJD'], ['b', { n: 1 }], ['c', [1, 2]]])
  } finally {
    await store.stop()
  }
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../../src/common/clock.ts'
import { silentLogger } from '../../../src/common/logger.ts'
import type { Vote } from '../../../src/common/model.ts'
import { createDecisionEngine } from '../../../src/decide/index.ts'
import { createStore } from '../../../src/store/index.ts'
import { tempDir } from '../../helpers/tmp.ts'

const H = 3_600_000

async function setup (quorum: number) {
  const clock = new ManualClock()
  const store = createStore({ path: await tempDir() })
  await store.start()
  const engine = createDecisionEngine(
    {
      trust: {
        threshold: quorum,
        quorum,
        window: 24 * H,
        banFor: 24 * H,
        localWeight: quorum,
        maxReportsPerPeerPerHour: 1000,
        maxRemoteBans: 100,
        honorRetractions: true,
        peers: []
      },
      escalation: null,
      allow: []
    },
    { store, clock, logger: silentLogger() }
  )
  await engine.start()
  const vote = (ip: string, author: string): Promise<unknown> => engine.vote({
    key: ip, ip, values: { ip }, author, weight: 1, filter: 'f', count: 1, observedAt: clock.now(), ttl: H, origin: 'remote'
  } satisfies Vote)
  return { engine, store, vote }
}

test('a retraction withdraws only its author\'s vote: a ban it co-voted below quorum is lifted', async () => {
  const { engine, vote } = await setup(2)
  await vote('203.0.113.9', 'A')
  await vote('203.0.113.9', 'B')
  assert.ok(engine.get('203.0.113.9'))
  const d = await engine.retract('A', '203.0.113.9')
  assert.equal(d?.kind, 'unban')
  assert.equal(engine.get('203.0.113.9'), undefined)
})

test('a ban that still stands no longer names the author that retracted, in memory and in the store', async () => {
  const { engine, store, vote } = await setup(1)
  await vote('203.0.113.10', 'A')
  await vote('203.0.113.10', 'B')
  assert.deepEqual([...engine.get('203.0.113.10')!.reporters].sort(), ['A', 'B'])
  assert.equal(await engine.retract('A', '203.0.113.10'), null, 'B\'s vote keeps the ban')
  assert.deepEqual(engine.get('203.0.113.10')!.reporters, ['B'])
  assert.deepEqual((await store.get<{ reporters: string[] }>('bans', '203.0.113.10'))?.reporters, ['B'])
  assert.equal(await engine.retract('A', '203.0.113.10'), null, 'a second retraction changes nothing')
})

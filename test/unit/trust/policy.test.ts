import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../../src/common/clock.ts'
import { silentLogger } from '../../../src/common/logger.ts'
import { createStore } from '../../../src/store/index.ts'
import { createTrustPolicy, type TrustChange } from '../../../src/trust/index.ts'
import { newIdentity, tempDir, trustConfig } from '../federation/helpers.ts'
import { join } from 'node:path'

const a = (await newIdentity()).id
const b = (await newIdentity()).id
const c = (await newIdentity()).id

async function open (path: string, peers = [{ key: a, name: 'alice', weight: 1, shadow: false }], perHour = 1000) {
  const store = createStore({ path })
  await store.start()
  const clock = new ManualClock()
  const trust = createTrustPolicy(
    { config: trustConfig({ peers, maxReportsPerPeerPerHour: perHour }) },
    { store, clock, logger: silentLogger() }
  )
  await trust.start()
  return { store, trust, clock }
}

describe('trust policy', () => {
  test('add / remove / revoke persist across a store reopen', async () => {
    const path = join(await tempDir(), 'db')
    let s = await open(path)
    const changes: TrustChange['kind'][] = []
    s.trust.onChange(ch => changes.push(ch.kind))
    assert.deepEqual(s.trust.get(a), { key: a, name: 'alice', weight: 1, shadow: false, source: 'config' })
    await s.trust.add(b, { weight: 0.5, name: 'bob', shadow: true })
    await s.trust.add(c)
    await s.trust.remove(c)
    await s.trust.revoke(a)
    assert.deepEqual(changes, ['add', 'add', 'remove', 'revoke'])
    await s.store.stop()

    s = await open(path)
    assert.deepEqual(s.trust.get(b), { key: b, name: 'bob', weight: 0.5, shadow: true, source: 'runtime' })
    assert.equal(s.trust.get(c), undefined)
    // revoked stays distrusted although the config lists it
    assert.equal(s.trust.get(a), undefined)
    assert.equal(s.trust.isRevoked(a), true)
    assert.deepEqual(s.trust.list().map(p => p.key), [b])
    // until it is added again
    await s.trust.add(a, { weight: 2 })
    assert.equal(s.trust.get(a)?.weight, 2)
    await s.store.stop()
    s = await open(path)
    assert.equal(s.trust.get(a)?.source, 'runtime')
    assert.equal(s.trust.isRevoked(a), false)
    await s.store.stop()
  })

  test('bad keys are refused with PAL_ERR_TRUST_BAD_KEY', async () => {
    const s = await open(join(await tempDir(), 'db'))
    await assert.rejects(s.trust.add('not-a-key'), { code: 'PAL_ERR_TRUST_BAD_KEY' })
    await assert.rejects(s.trust.add('QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N'), { code: 'PAL_ERR_TRUST_BAD_KEY' })
    await assert.rejects(s.trust.add(b, { weight: -1 }), { code: 'PAL_ERR_TRUST_BAD_KEY' })
    await assert.rejects(s.trust.remove(c), { code: 'PAL_ERR_TRUST_UNKNOWN_PEER' })
    assert.deepEqual(await s.trust.remove(a), { removed: false, stillInConfig: true })
    assert.throws(() => createTrustPolicy({ config: trustConfig({ peers: [{ key: 'x', weight: 1, shadow: false }] }) },
      { store: s.store, clock: s.clock, logger: silentLogger() }), { code: 'PAL_ERR_TRUST_BAD_KEY' })
    await s.store.stop()
  })

  test('rate cap: a bucket of maxReportsPerPeerPerHour per author, refilled over the hour', async () => {
    const s = await open(join(await tempDir(), 'db'), [], 10)
    const now = s.clock.now()
    for (let i = 0; i < 10; i++) assert.equal(s.trust.allowReport(a, now), true)
    assert.equal(s.trust.allowReport(a, now), false)
    assert.equal(s.trust.allowReport(b, now), true, 'buckets are per author')
    s.clock.advance(360_000) // a tenth of an hour = one token
    assert.equal(s.trust.allowReport(a, s.clock.now()), true)
    assert.equal(s.trust.allowReport(a, s.clock.now()), false)
    s.clock.advance(3_600_000)
    for (let i = 0; i < 10; i++) assert.equal(s.trust.allowReport(a, s.clock.now()), true)
    assert.equal(s.trust.allowReport(a, s.clock.now()), false, 'never more than a full bucket')
    await s.store.stop()
  })

  test('stats per peer', async () => {
    const s = await open(join(await tempDir(), 'db'))
    s.trust.recordAccepted(a, 5)
    s.trust.recordRejected(a, 'stale', 9)
    assert.deepEqual(s.trust.stats(a), { accepted: 1, rejected: 1, lastReport: 9, reasons: { stale: 1 } })
    assert.equal(s.trust.stats(b), undefined)
    await s.store.stop()
  })
})

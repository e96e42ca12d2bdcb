import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ManualClock } from '../../../src/common/clock.ts'
import { silentLogger } from '../../../src/common/logger.ts'
import { createStore } from '../../../src/store/index.ts'
import { createTrustPolicy } from '../../../src/trust/index.ts'
import { newIdentity, tempDir, trustConfig } from '../federation/helpers.ts'

const a = (await newIdentity()).id
const b = (await newIdentity()).id

async function open (path: string) {
  const store = createStore({ path })
  await store.start()
  const trust = createTrustPolicy(
    { config: trustConfig({ peers: [{ key: a, weight: 1, shadow: false }] }) },
    { store, clock: new ManualClock(), logger: silentLogger() }
  )
  await trust.start()
  return { store, trust }
}

test('known addresses: --addr and observed connections, one per host, persisted, only for trusted keys', async () => {
  const path = join(await tempDir(), 'db')
  let s = await open(path)
  await s.trust.add(b, { addrs: ['/ip4/203.0.113.7/tcp/4711', `/ip6/2001:db8::7/tcp/4711/p2p/${b}`] })
  assert.deepEqual(s.trust.addresses(b), ['/ip4/203.0.113.7/tcp/4711', '/ip6/2001:db8::7/tcp/4711'])
  assert.equal(s.trust.noteAddress(a, '/ip4/198.51.100.4/tcp/50312'), true, 'a new host')
  assert.equal(s.trust.noteAddress(a, '/ip4/198.51.100.4/tcp/50999'), false, 'same host, another ephemeral port')
  assert.deepEqual(s.trust.addresses(a), ['/ip4/198.51.100.4/tcp/50999'])
  const stranger = (await newIdentity()).id
  assert.equal(s.trust.noteAddress(stranger, '/ip4/198.51.100.5/tcp/1'), false, 'an untrusted key is not remembered')
  assert.equal(s.trust.noteAddress(a, '/dns4/example.org/tcp/1'), false)
  await new Promise(resolve => setImmediate(resolve))
  await s.store.stop()
  s = await open(path)
  assert.deepEqual(s.trust.addresses(a), ['/ip4/198.51.100.4/tcp/50999'], 'kept across a restart')
  assert.deepEqual(s.trust.addresses(b), ['/ip4/203.0.113.7/tcp/4711', '/ip6/2001:db8::7/tcp/4711'])
  await s.store.stop()
})

test('--addr must be an address of that peer', async () => {
  const s = await open(join(await tempDir(), 'db'))
  await assert.rejects(s.trust.add(b, { addrs: ['/ip4/999.1.1.1/tcp/4711'] }), /not a multiaddr of this peer/)
  await assert.rejects(s.trust.add(b, { addrs: [`/ip4/203.0.113.7/tcp/4711/p2p/${a}`] }), /not a multiaddr of this peer/)
  await assert.rejects(s.trust.add(b, { addrs: ['/ip4/203.0.113.0/tcp/4711/x'] }), /not a multiaddr of this peer/)
  assert.equal(s.trust.get(b), undefined, 'nothing was trusted')
  await s.store.stop()
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import type { MultiaddrConnection } from '@libp2p/interface'
import { PendingInbound } from '../../../src/federation/admission.ts'

const conn = (addr: string): MultiaddrConnection => ({ remoteAddr: multiaddr(addr) }) as unknown as MultiaddrConnection

test('pending inbound connections are limited per source address and released on proof of key', () => {
  const p = new PendingInbound(2, 60_000)
  const a1 = conn('/ip4/203.0.113.1/tcp/1001')
  const a2 = conn('/ip4/203.0.113.1/tcp/1002')
  assert.equal(p.admit(a1), true)
  assert.equal(p.admit(a2), true)
  assert.equal(p.admit(conn('/ip4/203.0.113.1/tcp/1003')), false, 'a third from the same address is dropped')
  assert.equal(p.admit(conn('/ip4/203.0.113.2/tcp/1001')), true, 'another address has its own share')
  p.release(a1)
  p.release(a1)
  assert.equal(p.pending('203.0.113.1'), 1, 'a release counts once')
  assert.equal(p.admit(conn('/ip4/203.0.113.1/tcp/1004')), true)
})

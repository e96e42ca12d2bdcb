import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { systemClock } from '../../src/common/clock.ts'
import { silentLogger } from '../../src/common/logger.ts'
import { createFirewall, startReconcileLoop, type FirewallBan } from '../../src/firewall/index.ts'
import { createNetns, createVethPair, startTcpServer, tcpConnect } from '../helpers/netns.ts'

/**
 * Two namespaces linked by a veth pair: A runs a TCP server and the nftables backend, B is the
 * "attacker" with two addresses, one banned and one allowlisted. Then drift made by hand with
 * nft inside A is repaired by one reconcile pass.
 */
const A = '10.200.3.1'
const B_BANNED = '10.200.3.2'
const B_ALLOWED = '10.200.3.3'
const A6 = 'fd00:200:3::1'
const B6 = 'fd00:200:3::2'
const TABLE = 'paltraffic'

const nsA = await createNetns('fwa')
after(() => nsA.remove())
const nsB = await createNetns('fwb')
after(() => nsB.remove())
await createVethPair(nsA, nsB, [`${A}/24`, `${A6}/64`], [`${B_BANNED}/24`, `${B_ALLOWED}/24`, `${B6}/64`])

const server = await startTcpServer(nsA, '::')
after(() => server.close())

const firewall = createFirewall({
  backend: 'nftables', hooks: ['input'], keepOnStop: false, reconcileInterval: 60_000, table: TABLE,
  command: { ban: [], unban: [] }, netns: nsA.name
}, { logger: silentLogger(), clock: systemClock })
after(() => firewall.stop())

const until = Date.now() + 3_600_000
const expected: FirewallBan[] = [
  { subject: B_BANNED, until }, { subject: B_ALLOWED, until }, { subject: 'fd00:200:3::/64', until }
]
const allow = [`${B_ALLOWED}/32`]
await firewall.start(expected, allow)

const connect = (host: string, from: string): Promise<string> =>
  tcpConnect(nsB, host, server.port, { from, timeoutMs: 1000 })

test('a banned address of B cannot connect to A; an allowlisted one still can', async () => {
  assert.equal(await connect(A, B_BANNED), 'timeout')
  assert.equal(await connect(A6, B6), 'timeout', 'the IPv6 /64 ban drops B too')
  assert.equal(await connect(A, B_ALLOWED), 'connected')
  await firewall.unban([B_BANNED])
  assert.equal(await connect(A, B_BANNED), 'connected', 'unban lets it through again')
  await firewall.ban([{ subject: B_BANNED, until }])
  assert.equal(await connect(A, B_BANNED), 'timeout')
})

test('one reconcile pass repairs an element deleted, a table flushed and a table deleted by hand', async () => {
  const loop = startReconcileLoop({
    firewall,
    expected: () => expected,
    allow: () => allow,
    intervalMs: 60_000,
    clock: systemClock,
    logger: silentLogger()
  })
  after(() => loop.stop())
  assert.deepEqual(await loop.runOnce(), { added: 0, removed: 0 }, 'no drift right after start')

  let r = await nsA.exec(['nft', 'delete', 'element', 'inet', TABLE, 'ban4', `{ ${B_BANNED} }`])
  assert.equal(r.code, 0, r.stderr)
  r = await nsA.exec(['nft', 'add', 'element', 'inet', TABLE, 'ban4', '{ 10.200.3.77 timeout 1h }'])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(await connect(A, B_BANNED), 'connected', 'the hand-made drift really opened the door')
  assert.deepEqual(await loop.runOnce(), { added: 1, removed: 1 })
  assert.equal(await connect(A, B_BANNED), 'timeout')
  assert.ok(!(await nsA.exec(['nft', 'list', 'set', 'inet', TABLE, 'ban4'])).stdout.includes('10.200.3.77'))

  r = await nsA.exec(['nft', 'flush', 'table', 'inet', TABLE])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(await connect(A, B_BANNED), 'connected', 'flush table drops the rules, keeping the elements')
  assert.deepEqual(await loop.runOnce(), { added: 3, removed: 0 })
  assert.equal(await connect(A, B_BANNED), 'timeout')

  r = await nsA.exec(['nft', 'delete', 'table', 'inet', TABLE])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(await firewall.list(), null)
  assert.equal(await connect(A, B_BANNED), 'connected')
  assert.deepEqual(await loop.runOnce(), { added: 3, removed: 0 })
  assert.equal(await connect(A, B_BANNED), 'timeout')
  assert.equal(await connect(A, B_ALLOWED), 'connected', 'the allowlist came back with the table')
})

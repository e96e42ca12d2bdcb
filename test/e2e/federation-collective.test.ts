/**
 * End to end: real `palisade start` processes, one per network namespace, joined by a
 * bridge namespace, each banning with real nftables in its own namespace.
 *   A, B, C  trusted members (threshold 1, quorum 1 at first)
 *   D        not trusted by anyone: its connections are refused and its reports change nothing
 *   E        trusted by B only; publishes an observation naming A with a signature that fails
 * Addresses are documentation ranges that exist only inside these namespaces.
 */
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { appendFile, writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { createBridge, createNetns, type Netns } from '../helpers/netns.ts'
import { tempDir } from '../helpers/tmp.ts'
import { waitFor } from '../helpers/wait.ts'
import { cli, ROOT, startDaemon, type RunningDaemon } from '../helpers/daemon.ts'
import { loadIdentity } from '../../src/federation/index.ts'
import { run } from '../helpers/netns.ts'

const COLLECTIVE = 'e2e'
const PORT = 4711
const NAMES = ['a', 'b', 'c', 'd', 'e'] as const
type Name = typeof NAMES[number]
const ADDR: Record<Name, string> = { a: '203.0.113.11', b: '203.0.113.12', c: '203.0.113.13', d: '203.0.113.14', e: '203.0.113.15' }
const TRUSTS: Record<Name, Name[]> = { a: ['b', 'c'], b: ['a', 'c', 'e'], c: ['a', 'b'], d: ['a', 'b', 'c'], e: ['b'] }

const root = await tempDir('palisade-fed-e2e-')
// registered first so that it runs first: daemons stop before their namespaces go
after(async () => {
  for (const name of NAMES) await nodes[name]?.daemon?.stop()
})
const bridgeNs = await createNetns('fbr')
after(() => bridgeNs.remove())
const bridge = await createBridge(bridgeNs)

interface Node {
  name: Name
  ns: Netns
  dir: string
  id: string
  log: string
  socket: string
  config: string
  daemon?: RunningDaemon
}
const nodes = {} as Record<Name, Node>
for (const name of NAMES) {
  const ns = await createNetns(`f${name}`)
  after(() => ns.remove())
  await bridge.attach(ns, `${ADDR[name]}/24`)
  const dir = join(root, name)
  await mkdir(join(dir, 'state'), { recursive: true })
  const id = (await loadIdentity(join(dir, 'state'), { create: true })).id
  nodes[name] = { name, ns, dir, id, log: join(dir, 'auth.log'), socket: join(dir, 'palisade.sock'), config: join(dir, 'palisade.yml') }
  await writeFile(nodes[name].log, '')
}
const maddr = (n: Name): string => `/ip4/${ADDR[n]}/tcp/${PORT}/p2p/${nodes[n].id}`

async function writeConfig (name: Name, trust: { threshold: number, quorum: number }): Promise<void> {
  const n = nodes[name]
  const peers = TRUSTS[name].map(p => `    - {key: ${nodes[p].id}, name: ${p}, weight: 1}`).join('\n')
  await writeFile(n.config, `
state: ${join(n.dir, 'state')}
socket: ${n.socket}
patterns:
  ip: {type: ip}
streams:
  ssh:
    cmd: [tail, -n0, -F, ${n.log}]
    filters:
      failedlogin:
        regex: ['Failed password for .* from <ip> port \\d+(?: ssh2)?$']
        retry: 3
        retryperiod: 10m
        ban: 1h
firewall: {backend: nftables}
allow: [${name === 'a' || name === 'd' ? '' : '198.51.100.99'}]
federation:
  collective: ${COLLECTIVE}
  listen: [/ip4/${ADDR[name]}/tcp/${PORT}]
  bootstrap: [${TRUSTS[name].filter(p => p !== 'e').map(maddr).join(', ')}]
  redialInterval: 1s
trust:
  threshold: ${trust.threshold}
  quorum: ${trust.quorum}
  peers:
${peers}
`)
}

const fail = async (name: Name, ip: string, times = 3): Promise<void> => {
  for (let i = 0; i < times; i++) await appendFile(nodes[name].log, `Nov 23 14:09:0${i} host sshd[9]: Failed password for root from ${ip} port 4242 ssh2\n`)
}
const inKernel = async (name: Name, ip: string): Promise<boolean> => {
  const r = await nodes[name].ns.exec(['nft', 'list', 'set', 'inet', 'palisade', 'ban4'])
  return r.code === 0 && new RegExp(`\\b${ip.replaceAll('.', '\\.')}\\b`).test(r.stdout)
}
const show = async (name: Name): Promise<{ bans: Array<{ ip: string, origin: string, reporters: string[] }> }> => {
  const r = await cli(['-s', nodes[name].socket, 'show', '--json'])
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout)
}
const banned = async (name: Name, ip: string) => (await show(name)).bans.find(b => b.ip === ip)
const peerList = async (
  name: Name
): Promise<
  Array<{
    key: string
    connected: boolean
    stats: { accepted: number; rejected: number; reasons: Record<string, number> } | null
  }>
> => JSON.parse((await cli(['-s', nodes[name].socket, 'peer', 'list', '--json'])).stdout)
/** tail -n0 only sees lines written after it runs */
const streamsSettle = () => new Promise(resolve => setTimeout(resolve, 700))

for (const name of NAMES) if (name !== 'e') await writeConfig(name, { threshold: 1, quorum: 1 })
await Promise.all((['a', 'b', 'c', 'd'] as const).map(async name => {
  nodes[name].daemon = await startDaemon(nodes[name].config, nodes[name].socket, { netns: nodes[name].ns.name })
}))
await waitFor('A, B and C connected to each other', async () => {
  for (const name of ['a', 'b', 'c'] as const) {
    const list = await peerList(name)
    for (const other of TRUSTS[name].filter(p => p !== 'e')) {
      if (list.find(p => p.key === nodes[other].id)?.connected !== true) return false
    }
  }
  return true
}, 30_000)
await streamsSettle()

test('a detection on A bans on B and C within 2 s, in their kernels', async () => {
  const ip = '198.51.100.20'
  const t0 = Date.now()
  await fail('a', ip)
  await waitFor('ban on B and C', async () => (await inKernel('b', ip)) && (await inKernel('c', ip)), 10_000)
  const took = Date.now() - t0
  assert.ok(took < 2000, `remote bans took ${took} ms`)
  const b = await banned('b', ip)
  assert.equal(b?.origin, 'remote')
  assert.deepEqual(b?.reporters, [nodes.a.id])
  assert.equal((await banned('a', ip))?.origin, 'detect')
})

test('an allowlisted address reported by a peer is never banned; a peer cannot unban', async () => {
  await fail('a', '198.51.100.99')
  await fail('a', '198.51.100.21')
  await waitFor('A bans both, B gets the second', async () => (await inKernel('b', '198.51.100.21')) && (await banned('a', '198.51.100.99')) !== undefined)
  assert.equal(await inKernel('b', '198.51.100.99'), false)
  assert.equal(await banned('c', '198.51.100.99'), undefined)
  // A lifts its own ban; that is local only, B and C keep theirs
  assert.equal((await cli(['-s', nodes.a.socket, 'unban', '198.51.100.21'])).code, 0)
  await new Promise(resolve => setTimeout(resolve, 1000))
  assert.equal(await inKernel('b', '198.51.100.21'), true)
  assert.ok(await banned('c', '198.51.100.21'))
})

test('a member\'s address is never banned, by its peers\' detections or reports', async () => {
  await fail('a', ADDR.b)
  await fail('a', '198.51.100.22')
  await waitFor('the next report arrives', () => inKernel('c', '198.51.100.22'))
  for (const name of ['a', 'b', 'c'] as const) assert.equal(await banned(name, ADDR.b), undefined, name)
  const why = await cli(['-s', nodes.a.socket, 'show', ADDR.b])
  assert.match(why.stdout, /protected \(own-address\)/)
})

test('an untrusted node cannot connect and its reports change nothing', async () => {
  const ip = '198.51.100.30'
  await fail('d', ip)
  await waitFor('D bans locally', async () => (await banned('d', ip)) !== undefined)
  await new Promise(resolve => setTimeout(resolve, 2000))
  for (const name of ['a', 'b', 'c'] as const) {
    assert.equal(await banned(name, ip), undefined, `${name} must ignore D`)
    assert.equal(
      (await peerList(name)).some(p => p.key === nodes.d.id && p.connected),
      false,
      `${name} refuses D's connection`
    )
  }
})

test('a forged signature is rejected by the receiving member and not relayed', async () => {
  const ip = '198.51.100.40'
  const e = nodes.e
  const forger = join(ROOT, 'test/e2e/fixtures/forger.ts')
  const r = await run(['ip', 'netns', 'exec', e.ns.name, process.execPath, forger, join(e.dir, 'state'), `/ip4/${ADDR.e}/tcp/${PORT}`, maddr('b'), COLLECTIVE, nodes.a.id, ip])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /published/)
  const forgeries = async (name: Name) =>
    (await peerList(name)).find(p => p.key === nodes.a.id)?.stats?.reasons.signature ?? 0
  await waitFor('B counted the forgery against A', async () => (await forgeries('b')) >= 1)
  await new Promise(resolve => setTimeout(resolve, 1000))
  for (const name of ['a', 'b', 'c'] as const) assert.equal(await banned(name, ip), undefined, name)
  assert.equal(await forgeries('c'), 0, 'C never saw it: B did not relay')
})

test('an offline member\'s address, where it once connected from, is never banned by a report', async () => {
  // E (trusted by B only, not in B's bootstrap) connected to B in the test above and is gone now
  await waitFor('E offline at B', async () => (await peerList('b')).find(p => p.key === nodes.e.id)?.connected !== true)
  await fail('a', ADDR.e)
  await fail('a', '198.51.100.23')
  await waitFor('the next report arrives at B', () => inKernel('b', '198.51.100.23'))
  assert.ok(await banned('a', ADDR.e), 'A does not know E: it bans')
  assert.equal(await banned('b', ADDR.e), undefined, 'B knows E as a member: never banned')
  assert.equal(await inKernel('b', ADDR.e), false)
  assert.match((await cli(['-s', nodes.b.socket, 'show', ADDR.e])).stdout, /protected \(own-address\)/)
})

test('with quorum 2, one reporter is not enough and two are', async () => {
  await nodes.c.daemon!.stop()
  await writeConfig('c', { threshold: 2, quorum: 2 })
  // keep: the next test still uses C; the file's after() stops it
  nodes.c.daemon = await startDaemon(nodes.c.config, nodes.c.socket, { netns: nodes.c.ns.name, keep: true })
  assert.ok(await banned('c', '198.51.100.20'), 'bans made before the restart are restored')
  await waitFor('C reconnected', async () => (await peerList('c')).filter(p => p.connected).length >= 2, 30_000)
  const ip = '198.51.100.50'
  await fail('a', ip)
  await waitFor('B bans on A alone (quorum 1)', () => inKernel('b', ip))
  await new Promise(resolve => setTimeout(resolve, 1500))
  assert.equal(await banned('c', ip), undefined, 'one reporter is not a quorum of 2')
  await streamsSettle()
  await fail('b', ip)
  await waitFor('C bans once B reports too', () => inKernel('c', ip), 10_000)
  assert.deepEqual((await banned('c', ip))?.reporters.sort(), [nodes.a.id, nodes.b.id].sort())
})

test('peer trust add / remove / revoke on a running daemon; revoking drops the votes a ban stood on', async () => {
  const add = await cli(['-s', nodes.a.socket, 'peer', 'trust', 'add', nodes.d.id, '--weight', '0.5', '--name', 'dave', '--shadow'])
  assert.equal(add.code, 0, add.stderr)
  let list = (await peerList('a')) as Array<{
    key: string
    source?: string
    weight?: number
    shadow?: boolean
    name?: string
  }>
  const dave = list.find(p => p.key === nodes.d.id)
  assert.deepEqual([dave?.source, dave?.weight, dave?.shadow, dave?.name], ['runtime', 0.5, true, 'dave'])
  assert.equal(list.find(p => p.key === nodes.b.id)?.source, 'config')
  assert.equal((await cli(['-s', nodes.a.socket, 'peer', 'trust', 'remove', nodes.d.id])).code, 0)
  list = await peerList('a')
  assert.equal(list.some(p => p.key === nodes.d.id && (p as { trusted?: boolean }).trusted === true), false)
  const bad = await cli(['-s', nodes.a.socket, 'peer', 'trust', 'add', 'not-a-key'])
  assert.equal(bad.code, 1)
  // C (quorum 2) banned 198.51.100.50 on A's and B's reports; without B's vote it no longer stands
  const revoke = await cli(['-s', nodes.c.socket, 'peer', 'revoke', nodes.b.id])
  assert.equal(revoke.code, 0, revoke.stderr)
  assert.match(revoke.stdout, /198\.51\.100\.50/)
  assert.equal(await banned('c', '198.51.100.50'), undefined)
  assert.equal(await inKernel('c', '198.51.100.50'), false)
})

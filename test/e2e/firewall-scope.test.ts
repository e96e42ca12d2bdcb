import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { systemClock } from '../../src/common/clock.ts'
import { silentLogger } from '../../src/common/logger.ts'
import type { BanScope } from '../../src/config/types.ts'
import { createFirewall, startReconcileLoop, type Firewall, type FirewallBan } from '../../src/firewall/index.ts'
import { scopeRef } from '../../src/firewall/scope.ts'
import { createNetns, createVethPair, tcpConnect, type Netns } from '../helpers/netns.ts'
import { waitFor } from '../helpers/wait.ts'

/**
 * Ban scopes with real packets, for nftables and iptables + ipset: namespace A listens on TCP 22
 * and 80, namespace B connects from addresses banned in different scopes. A scoped ban drops
 * port 22 and not port 80; an unscoped one drops both; a subject banned in two scopes is dropped
 * on both until each is lifted; a deleted scoped element is repaired by reconcile (and, for
 * nftables, at once through `nft monitor`); a new instance restores the scoped bans.
 */
const SSH: BanScope = { protocols: ['tcp'], ports: [[22, 22]] }
const WEB: BanScope = { protocols: ['tcp'], ports: [[80, 80], [443, 443]] }
const HOUR = 3_600_000

const SERVER = `
const net = require('node:net')
let open = 0
for (const port of process.argv.slice(1).map(Number)) {
  const s = net.createServer(c => { c.on('error', () => {}); c.end('hi') })
  s.listen(port, '0.0.0.0', () => { if (++open === process.argv.length - 1) process.stdout.write('ready\\n') })
}
process.stdin.on('end', () => process.exit(0)); process.stdin.resume()
`

/** TCP servers on fixed ports inside a namespace (a fresh namespace has them all free) */
async function listen (ns: Netns, ports: number[]): Promise<() => void> {
  const child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, '-e', SERVER, ...ports.map(String)],
    { stdio: ['pipe', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').once('data', () => resolve())
    child.once('error', reject)
    child.once('exit', code => reject(new Error(`servers in ${ns.name} exited (${code})`)))
  })
  return () => { child.stdin.end(); child.kill() }
}

interface Case {
  backend: 'nftables' | 'iptables'
  /** delete one element of a scope's set by hand, as an admin or a script would */
  deleteElement: (ns: Netns, table: string, scope: BanScope, ip: string) => Promise<void>
  /** count of the hook entry points (duplicates after a restart would show) */
  hooks: (ns: Netns, table: string) => Promise<number>
}

const CASES: Case[] = [
  {
    backend: 'nftables',
    async deleteElement (ns, table, scope, ip) {
      const r = await ns.exec(['nft', 'delete', 'element', 'inet', table, `ban4_${scopeRef(scope).id}`, `{ ${ip} }`])
      assert.equal(r.code, 0, r.stderr)
    },
    hooks: async (ns) => ((await ns.exec(['nft', 'list', 'ruleset'])).stdout.match(/type filter hook/g) ?? []).length
  },
  {
    backend: 'iptables',
    async deleteElement (ns, table, scope, ip) {
      const r = await ns.exec(['ipset', 'del', `${table}-b4-${scopeRef(scope).id}`, ip])
      assert.equal(r.code, 0, r.stderr)
    },
    hooks: async (ns, table) => {
      let n = 0
      for (const tool of ['iptables', 'ip6tables']) {
        n += ((await ns.exec([tool, '-w', '-S'])).stdout.match(new RegExp(`-j ${table.toUpperCase()}$`, 'gm')) ?? []).length
      }
      return n
    }
  }
]

let net = 20
for (const c of CASES) {
  const sub = net++
  const A = `10.200.${sub}.1`
  const SCOPED = `10.200.${sub}.2`
  const EVERY = `10.200.${sub}.3`
  const TWICE = `10.200.${sub}.4`
  const FREE = `10.200.${sub}.5`
  const table = `palscope${c.backend[0]}`

  test(`${c.backend}: a ban drops only its scope's ports; an unscoped one drops all; restart and repair keep it so`, async t => {
    const nsA = await createNetns('scopea')
    t.after(() => nsA.remove())
    const nsB = await createNetns('scopeb')
    t.after(() => nsB.remove())
    await createVethPair(nsA, nsB, `${A}/24`, [SCOPED, EVERY, TWICE, FREE].map(ip => `${ip}/24`))
    t.after(await listen(nsA, [22, 80]))
    const make = (): Firewall => createFirewall({
      backend: c.backend, hooks: ['input'], keepOnStop: false, reconcileInterval: 60_000, table,
      command: { ban: [], unban: [] }, netns: nsA.name
    }, { logger: silentLogger(), clock: systemClock })
    const fw = make()
    const until = Date.now() + HOUR
    const bans: FirewallBan[] = [
      { subject: SCOPED, until, scope: SSH },
      { subject: EVERY, until }
    ]
    await fw.start(bans, [])
    t.after(() => fw.stop())
    const reach = async (from: string): Promise<string> => {
      const [p22, p80] = await Promise.all([22, 80].map(port => tcpConnect(nsB, A, port, { from, timeoutMs: 800 })))
      return `22:${p22} 80:${p80}`
    }
    assert.equal(await reach(FREE), '22:connected 80:connected', 'the servers answer an address nobody banned')
    assert.equal(await reach(SCOPED), '22:timeout 80:connected', 'the ssh-scoped ban drops port 22 only')
    assert.equal(await reach(EVERY), '22:timeout 80:timeout', 'an unscoped ban drops every port')

    // a scope first seen after start gets its sets and rules on the fly; one subject, two scopes
    await fw.ban([{ subject: TWICE, until, scope: WEB }])
    assert.equal(await reach(TWICE), '22:connected 80:timeout')
    await fw.ban([{ subject: TWICE, until, scope: SSH }])
    assert.equal(await reach(TWICE), '22:timeout 80:timeout', 'in the sets of both scopes')
    const listed = await fw.list()
    assert.deepEqual(listed?.filter(b => b.subject === TWICE).map(b => scopeRef(b.scope).key).sort(), ['tcp:22', 'tcp:80,443'])
    await fw.unban([TWICE], { scope: WEB })
    assert.equal(await reach(TWICE), '22:timeout 80:connected', 'lifting one scope leaves the other')
    await fw.unban([TWICE])
    assert.equal(await reach(TWICE), '22:connected 80:connected', 'an unban lifts every scope')

    // reconcile: a scoped element deleted by hand is put back, in its scope
    const loop = startReconcileLoop({
      firewall: fw, expected: () => bans, allow: () => [], intervalMs: 60_000, clock: systemClock,
      logger: silentLogger()
    })
    t.after(() => loop.stop())
    assert.deepEqual(await loop.runOnce(), { added: 0, removed: 0 }, 'no drift after the changes above')
    await c.deleteElement(nsA, table, SSH, SCOPED)
    assert.equal(await reach(SCOPED), '22:connected 80:connected', 'the hand-made drift opened port 22')
    assert.deepEqual(await loop.runOnce(), { added: 1, removed: 0 })
    assert.equal(await reach(SCOPED), '22:timeout 80:connected')

    // an element in the wrong scope is moved: the store says ssh only
    await fw.ban([{ subject: SCOPED, until }])
    assert.equal(await reach(SCOPED), '22:timeout 80:timeout')
    assert.deepEqual(await loop.runOnce(), { added: 0, removed: 1 })
    assert.equal(await reach(SCOPED), '22:timeout 80:connected')

    // kill -9 and a new instance: it adopts the table and restores each ban in its scope
    const next = make()
    await next.start(bans, [])
    assert.equal(await reach(SCOPED), '22:timeout 80:connected')
    assert.equal(await reach(EVERY), '22:timeout 80:timeout')
    assert.equal(await c.hooks(nsA, table), c.backend === 'nftables' ? 1 : 2, 'no duplicated entry points')
    await next.stop()
    assert.equal(await reach(SCOPED), '22:connected 80:connected', 'stop removes the scoped rules too')
  })
}

test('nftables: nft monitor notices a scoped element deleted by hand and the repair puts it back at once', async t => {
  const nsA = await createNetns('scopem')
  t.after(() => nsA.remove())
  const nsB = await createNetns('scopen')
  t.after(() => nsB.remove())
  await createVethPair(nsA, nsB, '10.200.30.1/24', '10.200.30.2/24')
  t.after(await listen(nsA, [22, 80]))
  const fw = createFirewall({
    backend: 'nftables', hooks: ['input'], keepOnStop: false, reconcileInterval: 60_000, table: 'palscopem',
    command: { ban: [], unban: [] }, netns: nsA.name
  }, { logger: silentLogger(), clock: systemClock })
  const bans: FirewallBan[] = [{ subject: '10.200.30.2', until: Date.now() + HOUR, scope: SSH }]
  await fw.start(bans, [])
  t.after(() => fw.stop())
  const loop = startReconcileLoop({
    firewall: fw, expected: () => bans, allow: () => [], intervalMs: 600_000, clock: systemClock, logger: silentLogger()
  })
  t.after(() => loop.stop())
  const repaired: Array<{ added: number, removed: number }> = []
  fw.watch?.(() => { void loop.runOnce().then(r => repaired.push(r)) })
  const set = `ban4_${scopeRef(SSH).id}`
  const present = async (): Promise<boolean> =>
    (await nsA.exec(['nft', 'list', 'set', 'inet', 'palscopem', set])).stdout.includes('10.200.30.2')
  // the monitor subscribes a moment after watch(): a deletion before that is deleted again
  await waitFor('the scoped element deleted by hand to be put back by the monitor', async () => {
    if (repaired.length > 0) return true
    if (await present()) {
      const r = await nsA.exec(['nft', 'delete', 'element', 'inet', 'palscopem', set, '{ 10.200.30.2 }'])
      assert.equal(r.code, 0, r.stderr)
    }
    return false
  }, 10_000)
  assert.deepEqual(repaired[0], { added: 1, removed: 0 })
  // a deletion racing the first repair is itself foreign, and repaired the same way
  await waitFor('the scoped element back in its set', present, 10_000)
  assert.equal(await tcpConnect(nsB, '10.200.30.1', 22, { from: '10.200.30.2', timeoutMs: 800 }), 'timeout')
  assert.equal(await tcpConnect(nsB, '10.200.30.1', 80, { from: '10.200.30.2', timeoutMs: 800 }), 'connected')
})

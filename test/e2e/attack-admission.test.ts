/**
 * A stranger without any key holds 150 TCP sockets to a member's federation port that never say
 * a word, reopening each one the member drops (test/e2e/fixtures/hostile-peer.ts `idle-sockets`).
 * libp2p alone counts these against one shared limit of pending connections (10 s each), which
 * kept a trusted member out entirely. With a per-source limit and a 3 s upgrade timeout the
 * member still gets in, and a ban still crosses. Three namespaces on a bridge:
 *   V 203.0.113.41 the victim, B 203.0.113.42 a trusted member, X 203.0.113.43 the stranger
 */
import { test, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { createBridge, createNetns } from '../helpers/netns.ts'
import { tempDir } from '../helpers/tmp.ts'
import { loadIdentity } from '../../src/federation/index.ts'
import { member } from './fixtures/member-process.ts'

const NODE = join(import.meta.dirname, '../../node_modules/.bin/node')
const HOSTILE = join(import.meta.dirname, 'fixtures/hostile-peer.ts')
const PORT = 4711
const SOCKETS = 150
const ATTACK_SECONDS = 30

const root = await tempDir('palisade-admit-')
const br = await createNetns('adbr')
after(() => br.remove())
const bridge = await createBridge(br)
const ns = { v: await createNetns('adv'), b: await createNetns('adb'), x: await createNetns('adx') }
for (const n of Object.values(ns)) after(() => n.remove())
await bridge.attach(ns.v, '203.0.113.41/24')
await bridge.attach(ns.b, '203.0.113.42/24')
await bridge.attach(ns.x, '203.0.113.43/24')
const dirs = { v: join(root, 'v'), b: join(root, 'b') }
for (const d of Object.values(dirs)) await mkdir(d)
const idV = (await loadIdentity(dirs.v, { create: true })).id
const idB = (await loadIdentity(dirs.b, { create: true })).id

describe('attack: inbound admission', { timeout: 120_000 }, () => {
  test('150 idle sockets from a stranger do not keep a trusted member out', async (t) => {
    const V = await member(ns.v, dirs.v, { listen: [`/ip4/203.0.113.41/tcp/${PORT}`], bootstrap: [], trusted: [idB], redialInterval: 30_000 })
    const attacker = spawn('ip', ['netns', 'exec', ns.x.name, NODE, HOSTILE, 'idle-sockets', '203.0.113.41', String(PORT), String(SOCKETS), String(ATTACK_SECONDS)], { stdio: ['ignore', 'pipe', 'inherit'] })
    after(() => { if (attacker.exitCode === null) attacker.kill('SIGKILL') })
    const lines: any[] = []
    const holding = new Promise<void>((resolve) => {
      createInterface({ input: attacker.stdout! }).on('line', (l) => {
        const e = JSON.parse(l)
        lines.push(e)
        if (e.holding !== undefined) resolve()
      })
    })
    await holding
    const t0 = Date.now()
    // B dials V every second: each try meets the attacker's sockets
    const B = await member(ns.b, dirs.b, { listen: [`/ip4/203.0.113.42/tcp/${PORT}`], bootstrap: [`/ip4/203.0.113.41/tcp/${PORT}/p2p/${idV}`], trusted: [idV], redialInterval: 1_000 })
    const c = await B.when('B admitted by V while the attack runs', e => e.connected === idV, 20_000)
    t.diagnostic(`member admitted ${c.at - t0} ms after it started dialling`)
    // libp2p's own upgrade timeout is 10 s: a member let in only when the stranger's first sockets
    // expire was locked out in between; here it gets in on one of its first tries
    assert.ok(c.at - t0 < 8_000, `B admitted ${c.at - t0} ms after it started dialling`)
    V.send({ ban: '198.51.100.91' })
    const v = await B.when('the ban crossed', e => e.vote === '198.51.100.91', 15_000)
    assert.ok(v.at - t0 < ATTACK_SECONDS * 1000, 'the ban crossed while the attack still ran')
    assert.equal(attacker.exitCode, null, 'the attack was still running')
    await new Promise(resolve => attacker.once('exit', resolve))
    const r = lines.find(l => l.dropped !== undefined)
    assert.ok(r.dropped > SOCKETS, `the victim dropped the stranger's sockets (${r.dropped} of ${r.opened})`)
  })
})

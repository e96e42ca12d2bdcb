/**
 * `npm run demo` (root): federation seen working in one command. Builds a three-node collective
 * in network namespaces joined by a bridge — the same shape as docker/compose.yml — with real
 * `palisade start` daemons and nftables, lets an attacker fail SSH logins on node A only, and
 * shows that A bans it and that B and C, which never saw the attack, ban it too from A's signed
 * report. Prints each node's `show` and `peer list`, then removes everything it created.
 *
 *   npm run demo            node scripts/demo.ts [--keep-going]
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadIdentity } from '../src/federation/index.ts'
import { createBridge, createNetns, startTcpServer, tcpConnect, type Netns } from '../test/helpers/netns.ts'

const ROOT = join(import.meta.dirname, '..')
const BIN = existsSync(join(ROOT, 'dist/bin/palisade.js')) ? join(ROOT, 'dist/bin/palisade.js') : join(ROOT, 'bin/palisade.ts')
const NAMES = ['a', 'b', 'c'] as const
type Name = typeof NAMES[number]
const ADDR: Record<Name, string> = { a: '203.0.113.1', b: '203.0.113.2', c: '203.0.113.3' }
const ATTACKER = '203.0.113.66'
const PORT = 4711

interface Node {
  name: Name
  ns: Netns
  dir: string
  id: string
  log: string
  socket: string
  config: string
  child?: ChildProcess
  output: string
}

const say = (s: string): void => { process.stdout.write(s + '\n') }
const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

if (process.getuid?.() !== 0) { console.error('demo: run as root (it creates network namespaces and nftables tables inside them)'); process.exit(1) }

const cleanup: Array<() => Promise<unknown>> = []
let ok = false
try {
  const root = await mkdtemp(join(tmpdir(), 'palisade-demo-'))
  cleanup.push(() => rm(root, { recursive: true, force: true }))
  const bridgeNs = await createNetns('demo-br')
  cleanup.push(() => bridgeNs.remove())
  const bridge = await createBridge(bridgeNs)
  const attacker = await createNetns('demo-x')
  cleanup.push(() => attacker.remove())
  await bridge.attach(attacker, `${ATTACKER}/24`)

  const nodes = {} as Record<Name, Node>
  for (const name of NAMES) {
    const ns = await createNetns(`demo-${name}`)
    cleanup.push(() => ns.remove())
    await bridge.attach(ns, `${ADDR[name]}/24`)
    const dir = join(root, name)
    await mkdir(join(dir, 'state'), { recursive: true })
    const id = (await loadIdentity(join(dir, 'state'), { create: true })).id
    nodes[name] = { name, ns, dir, id, log: join(dir, 'auth.log'), socket: join(dir, 'palisade.sock'), config: join(dir, 'palisade.yml'), output: '' }
    await writeFile(nodes[name].log, '')
  }
  say(`demo: three nodes ${NAMES.map(n => `${n} (${ADDR[n]})`).join(', ')} on one bridge; attacker ${ATTACKER}`)

  for (const n of Object.values(nodes)) {
    const others = NAMES.filter(o => o !== n.name)
    await writeFile(n.config, [
      `state: ${join(n.dir, 'state')}`,
      `socket: ${n.socket}`,
      'streams:',
      `  ssh: {preset: sshd, file: ${n.log}}`,
      'firewall: {backend: nftables, table: palisade}',
      'federation:',
      '  collective: demo',
      `  listen: [/ip4/${ADDR[n.name]}/tcp/${PORT}]`,
      `  bootstrap: [${others.map(o => `/ip4/${ADDR[o]}/tcp/${PORT}/p2p/${nodes[o].id}`).join(', ')}]`,
      '  redialInterval: 1s',
      'trust:',
      '  threshold: 1',
      '  quorum: 1',
      '  peers:',
      ...others.map(o => `    - {key: ${nodes[o].id}, name: ${o}, weight: 1}`),
      ''
    ].join('\n'))
  }

  const cli = async (n: Node, args: string[]): Promise<string> => {
    const r = await n.ns.exec([process.execPath, BIN, '-s', n.socket, ...args])
    return (r.stdout + r.stderr).trimEnd()
  }
  for (const n of Object.values(nodes)) {
    const child = spawn('ip', ['netns', 'exec', n.ns.name, process.execPath, BIN, 'start', '-c', n.config], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PALISADE_LOG_FORMAT: 'json' } })
    n.child = child
    child.stdout!.on('data', (b: Buffer) => { n.output += b.toString() })
    child.stderr!.on('data', (b: Buffer) => { n.output += b.toString() })
    cleanup.unshift(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      await Promise.race([new Promise(resolve => child.once('exit', resolve)), sleep(10_000).then(() => child.kill('SIGKILL'))])
    })
  }
  const until = async (what: string, probe: () => Promise<boolean>, ms = 30_000): Promise<void> => {
    const deadline = Date.now() + ms
    while (!await probe()) {
      for (const n of Object.values(nodes)) { if (n.child!.exitCode !== null) throw new Error(`node ${n.name} exited:\n${n.output}`) }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await sleep(100)
    }
  }
  for (const n of Object.values(nodes)) await until(`node ${n.name} to start`, async () => (await n.ns.exec([process.execPath, BIN, '-s', n.socket, 'show', '--json'])).code === 0)
  await until('every node to see both others connected', async () => {
    for (const n of Object.values(nodes)) {
      const r = await n.ns.exec([process.execPath, BIN, '-s', n.socket, 'peer', 'list', '--json'])
      const peers = r.code === 0 ? JSON.parse(r.stdout) as Array<{ connected?: boolean }> : []
      if (peers.filter(p => p.connected === true).length < 2) return false
    }
    return true
  })
  say('demo: the collective is up, every node connected to the two others')

  const sshB = await startTcpServer(nodes.b.ns, ADDR.b)
  cleanup.unshift(async () => { sshB.close() })
  say(`demo: before the attack the attacker reaches b: ${await tcpConnect(attacker, ADDR.b, sshB.port, { from: ATTACKER, timeoutMs: 1000 })}`)

  // what sshd on a writes when the attacker guesses passwords (OpenSSH auth.c auth_log())
  for (let i = 0; i < 5; i++) {
    await appendFile(nodes.a.log, `Dec  1 12:00:0${i} a sshd[4242]: Failed password for root from ${ATTACKER} port ${50000 + i} ssh2\n`)
  }
  say('demo: the attacker failed 5 SSH passwords on a (sshd preset: retry 5 within 10m)')

  const banned = async (n: Node): Promise<boolean> => {
    const r = await n.ns.exec(['nft', 'list', 'set', 'inet', 'palisade', 'ban4'])
    return r.code === 0 && r.stdout.includes(ATTACKER)
  }
  for (const n of Object.values(nodes)) await until(`node ${n.name} to ban ${ATTACKER}`, () => banned(n))
  say(`demo: ${ATTACKER} is in the nftables set of a, b and c`)
  say(`demo: after the attack the attacker reaches b: ${await tcpConnect(attacker, ADDR.b, sshB.port, { from: ATTACKER, timeoutMs: 1000 })}`)

  for (const n of Object.values(nodes)) {
    say(`\n=== node ${n.name}: palisade show ===`)
    say(await cli(n, ['show']))
    say(`=== node ${n.name}: palisade show ${ATTACKER} ===`)
    say(await cli(n, ['show', ATTACKER]))
    say(`=== node ${n.name}: palisade peer list ===`)
    say(await cli(n, ['peer', 'list']))
  }
  ok = true
} catch (err) {
  console.error(`demo failed: ${(err as Error).message}`)
} finally {
  for (const f of cleanup) await f().catch(() => {})
  say(ok ? '\ndemo: done, namespaces and state removed' : '\ndemo: cleaned up after the failure')
}
process.exit(ok ? 0 : 1)

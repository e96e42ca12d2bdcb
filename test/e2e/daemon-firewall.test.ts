/**
 * End to end: a real `palisade start` inside network namespace A, reading a real
 * `tail -F` stream, banning with nftables in A's kernel. B (a second namespace, veth pair) is the
 * attacker. Addresses are documentation ranges, which exist only inside these namespaces: the
 * private ranges are never-ban classes, so an attacker there could not be banned at all.
 */
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { appendFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createNetns, createVethPair, startTcpServer, tcpConnect } from '../helpers/netns.ts'
import { tempDir } from '../helpers/tmp.ts'
import { waitFor } from '../helpers/wait.ts'
import { cli, startDaemon } from '../helpers/daemon.ts'

const A = '198.51.100.1'
const B_ATTACKER = '198.51.100.2'
const B_ALLOWED = '198.51.100.3'
const TABLE = 'pale2e'

const nsA = await createNetns('da')
after(() => nsA.remove())
const nsB = await createNetns('db')
after(() => nsB.remove())
await createVethPair(nsA, nsB, [`${A}/24`], [`${B_ATTACKER}/24`, `${B_ALLOWED}/24`])
const server = await startTcpServer(nsA, A)
after(() => server.close())

const dir = await tempDir('palisade-fw-e2e-')
const log = join(dir, 'auth.log')
const socket = join(dir, 'palisade.sock')
const config = join(dir, 'palisade.yml')
await writeFile(log, '')
await writeFile(config, `
state: ${join(dir, 'state')}
socket: ${socket}
patterns:
  ip: {type: ip}
streams:
  ssh:
    cmd: [tail, -n0, -F, ${log}]
    filters:
      failedlogin:
        regex: ['Failed password for .* from <ip> port \\d+(?: ssh2)?$']
        retry: 3
        retryperiod: 10m
        ban: 1h
firewall:
  backend: nftables
  table: ${TABLE}
  reconcileInterval: 1m
allow: [${B_ALLOWED}]
`)

const inBan4 = async (ip: string): Promise<boolean> => {
  const r = await nsA.exec(['nft', 'list', 'set', 'inet', TABLE, 'ban4'])
  return r.code === 0 && new RegExp(`\\b${ip.replaceAll('.', '\\.')}\\b`).test(r.stdout)
}
const connect = (from: string): Promise<string> => tcpConnect(nsB, A, server.port, { from, timeoutMs: 1000 })
const fail = (ip: string) => appendFile(log, `Nov 23 14:09:01 host sshd[77]: Failed password for root from ${ip} port 4242 ssh2\n`)

test('three failures on a tail -F stream put the address in @ban4 and its TCP connects are dropped', async () => {
  assert.equal(await connect(B_ATTACKER), 'connected', 'before: B reaches A')
  let d = await startDaemon(config, socket, { netns: nsA.name })
  await new Promise(resolve => setTimeout(resolve, 500)) // tail -n0 only sees lines written after it started
  for (let i = 0; i < 3; i++) await fail(B_ATTACKER)
  await waitFor('attacker in @ban4', () => inBan4(B_ATTACKER))
  assert.equal(await connect(B_ATTACKER), 'timeout')

  // the allowlisted address fails too, and is never banned: counted nowhere, allowed in the kernel
  for (let i = 0; i < 3; i++) await fail(B_ALLOWED)
  const refused = await cli(['-s', socket, 'ban', B_ALLOWED], { netns: nsA.name })
  assert.equal(refused.code, 1)
  assert.equal(await inBan4(B_ALLOWED), false)
  assert.equal(await connect(B_ALLOWED), 'connected')
  const allow4 = (await nsA.exec(['nft', 'list', 'set', 'inet', TABLE, 'allow4'])).stdout
  for (const cidr of [B_ALLOWED, '10.0.0.0/8', '127.0.0.0/8', '100.64.0.0/10', A]) assert.ok(allow4.includes(cidr), `kernel allow4 holds ${cidr}: ${allow4}`)

  // a clean restart keeps the ban (the table is removed at stop and restored at start)
  assert.equal(await d.stop(), 0)
  assert.equal(await inBan4(B_ATTACKER), false, 'stop removes the table (keepOnStop is false)')
  d = await startDaemon(config, socket, { netns: nsA.name })
  assert.equal(await inBan4(B_ATTACKER), true, 'restored at start')

  // kill -9 leaves the kernel sets in place; the next start adopts them
  await d.kill9()
  assert.equal(await inBan4(B_ATTACKER), true, 'kill -9 keeps the ban in the kernel')
  assert.equal(await connect(B_ATTACKER), 'timeout', 'and it is still enforced while the daemon is dead')
  d = await startDaemon(config, socket, { netns: nsA.name })
  assert.equal(await inBan4(B_ATTACKER), true)

  // expiry: a 2 s manual ban disappears from the kernel by itself
  const ban = await cli(['-s', socket, 'ban', '198.51.100.77', '--for', '2s'], { netns: nsA.name })
  assert.equal(ban.code, 0, ban.stderr)
  assert.equal(await inBan4('198.51.100.77'), true)
  await waitFor('expiry of the 2 s ban', async () => !(await inBan4('198.51.100.77')), 8_000)
  const shown = JSON.parse((await cli(['-s', socket, 'show', '--json'], { netns: nsA.name })).stdout)
  assert.equal(shown.bans.some((b: { ip: string }) => b.ip === '198.51.100.77'), false)

  // unban lifts it in the kernel at once
  assert.equal((await cli(['-s', socket, 'unban', B_ATTACKER], { netns: nsA.name })).code, 0)
  assert.equal(await inBan4(B_ATTACKER), false)
  assert.equal(await connect(B_ATTACKER), 'connected')
  assert.equal(await d.stop(), 0)
})

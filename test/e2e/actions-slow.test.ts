/**
 * A slow action delays no ban: a real `palisade start` in a network namespace (nftables), two
 * streams, the first filter's action takes 5 s. The first address is in the kernel at once (its
 * own action still running) and so is the second stream's, 0.3 s later, whatever `concurrency`.
 */
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { appendFile, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createNetns } from '../helpers/netns.ts'
import { tempDir } from '../helpers/tmp.ts'
import { waitFor } from '../helpers/wait.ts'
import { startDaemon } from '../helpers/daemon.ts'

const ns = await createNetns('as')
after(() => ns.remove())

test('a 5 s action holds up no kernel ban, of its own stream or another; concurrency 1 queues actions, not bans', async () => {
  const dir = await tempDir('palisade-slow-')
  const slow = join(import.meta.dirname, '../fixtures/bin/slow.mjs')
  const out = join(dir, 'actions')
  const [a, b] = [join(dir, 'a.log'), join(dir, 'b.log')]
  await writeFile(a, '')
  await writeFile(b, '')
  const socket = join(dir, 'palisade.sock')
  const config = join(dir, 'palisade.yml')
  await writeFile(config, `
state: ${join(dir, 'state')}
socket: ${socket}
concurrency: 1
patterns: {ip: {type: ip}}
streams:
  a:
    file: ${a}
    filters:
      f:
        regex: ['fail from <ip>$']
        ban: 1h
        actions:
          mail: {cmd: [${process.execPath}, ${slow}, ${out}, '5000', <ip>]}
  b:
    file: ${b}
    filters:
      f: {regex: ['fail from <ip>$'], ban: 1h}
firewall: {backend: nftables, table: palslow}
`)
  const d = await startDaemon(config, socket, { netns: ns.name })
  const inKernel = async (ip: string): Promise<boolean> => (await ns.exec(['nft', 'list', 'set', 'inet', 'palslow', 'ban4'])).stdout.includes(ip)
  await new Promise(resolve => setTimeout(resolve, 500)) // both streams at the end of their files
  const t0 = performance.now()
  await appendFile(a, 'fail from 81.5.0.1\n')
  await appendFile(a, 'fail from 81.5.0.2\n')
  await new Promise(resolve => setTimeout(resolve, 300))
  await appendFile(b, 'fail from 81.5.0.3\n')
  await waitFor('all three in the kernel', async () => await inKernel('81.5.0.1') && await inKernel('81.5.0.2') && await inKernel('81.5.0.3'), 20_000)
  const ms = performance.now() - t0
  const started = (await readFile(out, 'utf8').catch(() => '')).split('\n').filter(l => l.startsWith('start'))
  assert.ok(ms < 4500, `the bans took ${Math.round(ms)} ms, behind a 5 s action`)
  assert.equal(started.length, 1, 'concurrency 1: the second action waits for the first, the bans do not')
  assert.equal(await d.stop(), 0)
})

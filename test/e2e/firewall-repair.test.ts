/**
 * `nft flush ruleset` (what `systemctl reload nftables` does with Debian's stock ruleset) takes
 * Palisade's table with it. A real daemon in a namespace notices through `nft monitor` and
 * rebuilds the table with every ban in force at once; the reconcile interval is set to an hour,
 * so only the monitor can have repaired it.
 */
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createNetns } from '../helpers/netns.ts'
import { tempDir } from '../helpers/tmp.ts'
import { waitFor } from '../helpers/wait.ts'
import { cli, startDaemon } from '../helpers/daemon.ts'

const TABLE = 'palrepair'

test('a flushed ruleset is rebuilt with its bans long before the next reconcile', async () => {
  const ns = await createNetns('rep')
  after(() => ns.remove())
  const dir = await tempDir('palisade-repair-')
  const socket = join(dir, 'palisade.sock')
  const config = join(dir, 'palisade.yml')
  await writeFile(config, `
state: ${join(dir, 'state')}
socket: ${socket}
patterns:
  ip: {type: ip}
streams:
  idle:
    cmd: [sleep, infinity]
    filters:
      never: {regex: ['^never <ip>$'], ban: 1h}
firewall: {backend: nftables, table: ${TABLE}, reconcileInterval: 1h}
`)
  const d = await startDaemon(config, socket, { netns: ns.name })
  for (const ip of ['203.0.113.5', '2001:db8::/64']) {
    const r = await cli(['-s', socket, 'ban', ip, '--for', '2h'], { netns: ns.name })
    assert.equal(r.code, 0, r.stderr)
  }
  const listBans = async (): Promise<string> => {
    const a = await ns.exec(['nft', 'list', 'set', 'inet', TABLE, 'ban4'])
    const b = await ns.exec(['nft', 'list', 'set', 'inet', TABLE, 'bannet6'])
    return a.code === 0 && b.code === 0 ? a.stdout + b.stdout : ''
  }
  assert.match(await listBans(), /203\.0\.113\.5/)

  for (let round = 0; round < 2; round++) {
    assert.equal((await ns.exec(['nft', 'flush', 'ruleset'])).code, 0)
    assert.equal((await ns.exec(['nft', 'list', 'tables'])).stdout.includes(TABLE), false, 'the flush removed the table')
    await waitFor('table rebuilt with its bans', async () => {
      const s = await listBans()
      return /203\.0\.113\.5/.test(s) && /2001:db8::\/64/.test(s)
    }, 10_000)
  }
  // a foreign element deletion is repaired the same way
  assert.equal((await ns.exec(['nft', 'delete', 'element', 'inet', TABLE, 'ban4', '{ 203.0.113.5 }'])).code, 0)
  await waitFor('deleted element re-added', async () => /203\.0\.113\.5/.test(await listBans()), 10_000)
  assert.match(d.log(), /changed by someone else/)
  assert.equal(await d.stop(), 0)
})

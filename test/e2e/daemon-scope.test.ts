/**
 * Ban scopes end to end: a real `palisade start` in a namespace, two filters with `ports:`, one
 * without, and a manual `ban`. Each detection lands in its filter's scope sets, an address two
 * filters caught is in both, a manual ban drops every port; after kill -9 the new daemon restores
 * each ban into its scope's sets (reconcile is an hour away, so the restore alone did it); a reload
 * that changes a filter's ports moves its bans at once.
 */
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { appendFile, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createNetns } from '../helpers/netns.ts'
import { tempDir } from '../helpers/tmp.ts'
import { waitFor } from '../helpers/wait.ts'
import { cli, startDaemon } from '../helpers/daemon.ts'
import { scopeRef } from '../../src/firewall/scope.ts'

const TABLE = 'palscoped'
const SSH = scopeRef({ protocols: ['tcp'], ports: [[22, 22], [2222, 2222]] })
const WEB = scopeRef({ protocols: ['sctp', 'tcp', 'udp'], ports: [[80, 80], [443, 443]] })

test('each filter bans in its own scope; a manual ban everywhere; kill -9 and restart restore the scopes', async () => {
  const ns = await createNetns('dscope')
  after(() => ns.remove())
  const dir = await tempDir('palisade-scope-')
  const log = join(dir, 'app.log')
  const socket = join(dir, 'palisade.sock')
  const config = join(dir, 'palisade.yml')
  await writeFile(log, '')
  await writeFile(config, `
state: ${join(dir, 'state')}
socket: ${socket}
patterns:
  ip: {type: ip}
streams:
  app:
    cmd: [tail, -n0, -F, ${log}]
    filters:
      ssh: {regex: ['^ssh fail <ip>$'], ban: 1h, ports: [ssh, 2222], protocol: tcp}
      web: {regex: ['^web fail <ip>$'], ban: 1h, ports: 'http,https'}
      any: {regex: ['^any fail <ip>$'], ban: 1h}
firewall: {backend: nftables, table: ${TABLE}, reconcileInterval: 1h}
`)
  const set = async (name: string): Promise<string> => {
    const r = await ns.exec(['nft', 'list', 'set', 'inet', TABLE, name])
    return r.code === 0 ? r.stdout : ''
  }
  const holds = async (name: string, ip: string): Promise<boolean> =>
    new RegExp(`\\b${ip.replaceAll('.', '\\.')}\\b`).test(await set(name))
  const where = async (ip: string): Promise<string[]> => {
    const out: string[] = []
    for (const [label, name] of [['all', 'ban4'], ['ssh', `ban4_${SSH.id}`], ['web', `ban4_${WEB.id}`]]) {
      if (await holds(name, ip)) out.push(label)
    }
    return out
  }

  let d = await startDaemon(config, socket, { netns: ns.name, keep: true })
  await appendFile(log, 'ssh fail 203.0.113.21\nweb fail 203.0.113.22\nany fail 203.0.113.23\n')
  await appendFile(log, 'ssh fail 203.0.113.24\nweb fail 203.0.113.24\n')
  const r = await cli(['-s', socket, 'ban', '203.0.113.25', '--for', '1h'], { netns: ns.name })
  assert.equal(r.code, 0, r.stderr)
  await waitFor('every ban in the kernel', async () => (await where('203.0.113.24')).length === 2 &&
    (await where('203.0.113.25')).length === 1 && (await where('203.0.113.23')).length === 1, 15_000)
  assert.deepEqual(await where('203.0.113.21'), ['ssh'])
  assert.deepEqual(await where('203.0.113.22'), ['web'])
  assert.deepEqual(await where('203.0.113.23'), ['all'])
  assert.deepEqual(await where('203.0.113.24'), ['ssh', 'web'], 'caught by two filters: in both scopes')
  assert.deepEqual(await where('203.0.113.25'), ['all'], 'a manual ban drops every port')
  const rules = (await ns.exec(['nft', 'list', 'chain', 'inet', TABLE, 'input'])).stdout
  assert.match(rules, /(?:meta l4proto tcp th|tcp) dport \{ 22, 2222 \} ip saddr @ban4_[0-9a-f]{8} drop/)
  assert.match(rules, /meta l4proto \{ (?:tcp, udp, sctp|sctp, tcp, udp) \} th dport \{ 80, 443 \} ip saddr @ban4_[0-9a-f]{8} drop/)

  await d.kill9()
  // the table survives kill -9; empty it, so that only the restore can fill it again
  assert.equal((await ns.exec(['nft', 'delete', 'table', 'inet', TABLE])).code, 0)
  d = await startDaemon(config, socket, { netns: ns.name, keep: true })
  await waitFor('the restored bans', async () => (await where('203.0.113.21')).length > 0, 15_000)
  assert.deepEqual(await where('203.0.113.21'), ['ssh'])
  assert.deepEqual(await where('203.0.113.22'), ['web'])
  assert.deepEqual(await where('203.0.113.23'), ['all'])
  assert.deepEqual(await where('203.0.113.25'), ['all'])
  // the scope the second filter added is stored with the ban (Ban.also) and restored with it
  assert.deepEqual(await where('203.0.113.24'), ['ssh', 'web'])

  // reload with the ssh filter's ports changed: its bans move to the new scope's sets at once
  await writeFile(config, (await readFile(config, 'utf8')).replace('ports: [ssh, 2222], protocol: tcp', 'ports: [2200]'))
  const r2 = await cli(['-s', socket, 'reload'], { netns: ns.name })
  assert.equal(r2.code, 0, r2.stderr)
  const moved = `ban4_${scopeRef({ protocols: ['sctp', 'tcp', 'udp'], ports: [[2200, 2200]] }).id}`
  assert.ok(await holds(moved, '203.0.113.21'), await set(moved))
  assert.deepEqual(await where('203.0.113.21'), [], 'out of the old scope\'s set')
  assert.deepEqual(await where('203.0.113.22'), ['web'])
  assert.equal(await d.stop(), 0)
})

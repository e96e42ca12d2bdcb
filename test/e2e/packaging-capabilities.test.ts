/**
 * The shipped unit's capability set is enough to ban: a real daemon started under setpriv with
 * only the unit's CapabilityBoundingSet (as ambient capabilities, root's automatic ones locked
 * away, no new privileges) inside a network namespace puts a banned address in its nftables set.
 */
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createNetns } from '../helpers/netns.ts'
import { tempDir } from '../helpers/tmp.ts'
import { cli, ROOT, startDaemon } from '../helpers/daemon.ts'
import { readUnitFile, unitCapabilities } from '../helpers/unit-file.ts'

const caps = unitCapabilities(readUnitFile(join(ROOT, 'packaging/palisade.service')))
const setpriv = caps.map(c => `+${c.replace(/^CAP_/, '').toLowerCase()}`).join(',')
const WRAP = [
  'setpriv', '--no-new-privs',
  '--securebits', '+noroot,+noroot_locked,+no_setuid_fixup,+no_setuid_fixup_locked',
  '--bounding-set', `-all,${setpriv}`, '--inh-caps', `-all,${setpriv}`, '--ambient-caps', `-all,${setpriv}`
]
const TABLE = 'palcaps'

test('a ban under the unit\'s reduced capabilities reaches the kernel set', async () => {
  const ns = await createNetns('caps')
  after(() => ns.remove())
  const dir = await tempDir('palisade-caps-')
  const socket = join(dir, 'palisade.sock')
  const config = join(dir, 'palisade.yml')
  await writeFile(join(dir, 'auth.log'), '')
  await writeFile(config, `
state: ${join(dir, 'state')}
socket: ${socket}
patterns:
  ip: {type: ip}
streams:
  ssh:
    file: ${join(dir, 'auth.log')}
    filters:
      failedlogin:
        regex: ['Failed password for .* from <ip> port \\d+$']
        retry: 3
        retryperiod: 10m
        ban: 1h
firewall: {backend: nftables, table: ${TABLE}}
`)
  const d = await startDaemon(config, socket, { netns: ns.name, wrap: WRAP })
  // the daemon really runs with the reduced set: effective capabilities = the unit's three
  const status = await readFile(`/proc/${await daemonPid(d.child.pid!)}/status`, 'utf8')
  const eff = BigInt('0x' + /CapEff:\s+([0-9a-f]+)/.exec(status)![1])
  const bits: Record<string, bigint> = { CAP_DAC_READ_SEARCH: 2n, CAP_NET_ADMIN: 12n, CAP_NET_RAW: 13n }
  assert.equal(eff, caps.reduce((m, c) => m | (1n << bits[c]), 0n), `CapEff ${eff.toString(16)}`)

  const r = await cli(['-s', socket, 'ban', '203.0.113.77', '--for', '1h'], { netns: ns.name })
  assert.equal(r.code, 0, r.stderr)
  const set = await ns.exec(['nft', 'list', 'set', 'inet', TABLE, 'ban4'])
  assert.equal(set.code, 0, set.stderr)
  assert.match(set.stdout, /203\.0\.113\.77/)
  assert.equal(await d.stop(), 0, d.log())
})

/** `ip netns exec` and setpriv exec in place, so the spawned pid is the daemon's; follow children if not */
async function daemonPid (pid: number): Promise<number> {
  for (let i = 0; i < 3; i++) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8')
    if (cmd.includes('palisade')) return pid
    const kids = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim().split(/\s+/).filter(Boolean)
    if (kids.length === 0) break
    pid = Number(kids[0])
  }
  return pid
}

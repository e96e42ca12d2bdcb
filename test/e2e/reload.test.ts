/**
 * `palisade reload` and SIGHUP on a real daemon inside a network namespace with nftables: the
 * configuration file is edited under the running daemon, which takes over what changed and
 * keeps its bans (in the kernel), counters and stream positions. Addresses are documentation
 * ranges (the private ones are never-ban classes).
 */
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { appendFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createNetns } from '../helpers/netns.ts'
import { tempDir } from '../helpers/tmp.ts'
import { waitFor } from '../helpers/wait.ts'
import { cli, startDaemon } from '../helpers/daemon.ts'

const TABLE = 'palreload'
const BANNED = '198.51.100.10'
const COUNTED = '198.51.100.11'
const IN_FLIGHT = '198.51.100.12'
const MANUAL = '203.0.113.50'
const WEB = '203.0.113.60'
const WEB_AFTER_REFUSAL = '203.0.113.61'

const ns = await createNetns('rl')
after(() => ns.remove())
const dir = await tempDir('palisade-reload-e2e-')
const auth = join(dir, 'auth.log')
const web = join(dir, 'web.log')
const socket = join(dir, 'palisade.sock')
const config = join(dir, 'palisade.yml')
await writeFile(auth, '')
await writeFile(web, '')

const ssh = (retryperiod: string): string => `
  ssh:
    file: ${auth}
    filters:
      fail:
        regex: ['Failed password for .* from <ip> port \\d+']
        retry: 3
        retryperiod: ${retryperiod}
        ban: 1h`
const webStream = `
  web:
    file: ${web}
    filters:
      probe:
        regex: ['^<ip> GET /wp-login\\.php']
        retry: 2
        retryperiod: 10m
        ban: 1h`
const configText = (o: { streams: string, allow: string[], hooks: string[], extra?: string }): string => `
state: ${join(dir, 'state')}
socket: ${socket}
patterns:
  ip: {type: ip}
streams:${o.streams}
firewall:
  backend: nftables
  table: ${TABLE}
  hooks: [${o.hooks.join(', ')}]
  reconcileInterval: 1m
allow: [${o.allow.join(', ')}]
${o.extra ?? ''}
`

const inSet = async (set: string, ip: string): Promise<boolean> => {
  const r = await ns.exec(['nft', 'list', 'set', 'inet', TABLE, set])
  return r.code === 0 && new RegExp(`\\b${ip.replaceAll('.', '\\.')}\\b`).test(r.stdout)
}
const failSsh = (ip: string, n: number): Promise<void> =>
  appendFile(auth, `Nov 23 14:09:01 host sshd[77]: Failed password for root from ${ip} port 4242 ssh2\n`.repeat(n))
const probeWeb = (ip: string, n: number): Promise<void> => appendFile(web, `${ip} GET /wp-login.php HTTP/1.1\n`.repeat(n))
const counterOf = async (ip: string): Promise<number | undefined> => {
  const r = await cli(['-s', socket, 'show', '--json'], { netns: ns.name })
  const shown = JSON.parse(r.stdout) as { counters: Array<{ key: string, count: number }> }
  return shown.counters.find(c => c.key === ip)?.count
}

test('reload and SIGHUP apply an edited configuration; bans, counters and positions stay; an invalid edit is refused', async () => {
  await writeFile(config, configText({ streams: ssh('10m'), allow: [], hooks: ['input'] }))
  const d = await startDaemon(config, socket, { netns: ns.name })

  // before: one ban from the stream, one manual ban, one counter at 2 of 3
  await failSsh(BANNED, 3)
  await waitFor('stream ban in @ban4', () => inSet('ban4', BANNED))
  assert.equal((await cli(['-s', socket, 'ban', MANUAL], { netns: ns.name })).code, 0)
  await failSsh(COUNTED, 2)
  await waitFor('counter at 2', async () => await counterOf(COUNTED) === 2)

  // the edit: a new stream, the ssh filter changed (its stream restarts from its checkpoint),
  // the manual ban's address allowlisted, a second hook; lines written just before the reload
  // must be counted once, by the old or the restarted stream
  await writeFile(config, configText({ streams: ssh('20m') + webStream, allow: [MANUAL], hooks: ['input', 'forward'] }))
  await failSsh(IN_FLIGHT, 2)
  const r = await cli(['-s', socket, 'reload'], { netns: ns.name })
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /streams added: web/)
  assert.match(r.stdout, /streams restarted: ssh/)
  assert.match(r.stdout, /allowlist/)
  assert.match(r.stdout, /firewall table/)
  assert.match(r.stdout, new RegExp(`bans lifted: ${MANUAL.replaceAll('.', '\\.')}`))

  assert.equal(await inSet('ban4', BANNED), true, 'the stream ban is still in the kernel after the table was rebuilt')
  assert.equal((await ns.exec(['nft', 'list', 'chain', 'inet', TABLE, 'forward'])).code, 0, 'the new hook has its chain')
  assert.equal(await inSet('ban4', MANUAL), false, 'the newly allowed address is no longer banned')
  assert.equal(await inSet('allow4', MANUAL), true, 'and is in the kernel allow set')
  assert.match(d.log(), new RegExp(`ban lifted: ${MANUAL.replaceAll('.', '\\.')} is protected by the reloaded configuration`))

  // the counter survived; the in-flight lines were counted exactly once (a re-read would make 4 and ban)
  assert.equal(await counterOf(COUNTED), 2)
  await waitFor('in-flight lines counted', async () => await counterOf(IN_FLIGHT) === 2)
  await failSsh(COUNTED, 1)
  await waitFor('the surviving counter reaches retry', () => inSet('ban4', COUNTED))
  assert.equal(await counterOf(IN_FLIGHT), 2, 'no line of the restarted stream was read twice')

  // the added stream bans
  await probeWeb(WEB, 2)
  await waitFor('new stream ban in @ban4', () => inSet('ban4', WEB))

  // an invalid edit: refused with located errors, the running configuration untouched
  await writeFile(config, configText({ streams: ssh('20m').replace('retry: 3', 'retry: -1') + webStream, allow: [MANUAL], hooks: ['input', 'forward'], extra: 'nosuchkey: 1' }))
  const bad = await cli(['-s', socket, 'reload'], { netns: ns.name })
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /keeps running the previous one/)
  assert.match(bad.stderr, /palisade\.yml:\d+:\d+: streams\.ssh\.filters\.fail\.retry: /)
  assert.match(bad.stderr, /palisade\.yml:\d+:\d+: nosuchkey: /)
  await probeWeb(WEB_AFTER_REFUSAL, 2)
  await waitFor('the old configuration still bans', () => inSet('ban4', WEB_AFTER_REFUSAL))

  // SIGHUP with the same invalid file: logged, and the daemon lives on
  const before = d.log().length
  d.child.kill('SIGHUP')
  // the summary line, then one line per error (the pipe may hand them over in two reads)
  await waitFor('SIGHUP refusal logged with its errors', () => /reload refused[^]*streams\.ssh\.filters\.fail\.retry[^]*nosuchkey/.test(d.log().slice(before)))
  assert.equal(d.child.exitCode, null, 'SIGHUP does not kill the daemon')

  // SIGHUP with a valid edit: applied (the stream-banned address allowlisted, so lifted)
  await writeFile(config, configText({ streams: ssh('20m') + webStream, allow: [MANUAL, BANNED], hooks: ['input', 'forward'] }))
  const mark = d.log().length
  d.child.kill('SIGHUP')
  await waitFor('SIGHUP reload logged', () => d.log().slice(mark).includes('configuration reloaded'))
  assert.equal(await inSet('ban4', BANNED), false)
  assert.equal(await inSet('ban4', WEB), true, 'other bans stay')
  assert.equal((await cli(['-s', socket, 'show', '--json'], { netns: ns.name })).code, 0, 'the daemon still answers')
  assert.equal(await d.stop(), 0)
})

test('two reloads at once: the second waits for the first, both succeed', async () => {
  await writeFile(config, configText({ streams: ssh('20m'), allow: [], hooks: ['input'] }))
  const d = await startDaemon(config, socket, { netns: ns.name })
  await writeFile(config, configText({ streams: ssh('30m') + webStream, allow: [], hooks: ['input'] }))
  const [a, b] = await Promise.all([cli(['-s', socket, 'reload', '--json'], { netns: ns.name }), cli(['-s', socket, 'reload', '--json'], { netns: ns.name })])
  assert.equal(a.code, 0, a.stderr)
  assert.equal(b.code, 0, b.stderr)
  const results = [JSON.parse(a.stdout), JSON.parse(b.stdout)] as Array<{ summary: string }>
  // exactly one of them found something to do: they did not interleave
  assert.deepEqual(results.map(x => x.summary === 'nothing changed').sort(), [false, true])
  assert.equal(await d.stop(), 0)
})

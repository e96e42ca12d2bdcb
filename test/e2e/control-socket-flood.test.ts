/**
 * The control socket under a flood, on a real daemon with 20,000 bans: 1,000 `show` requests at
 * once used to stall the daemon 7.7 s and overflow the socket's backlog (422 refused). Now a
 * `show` answers one bounded page from a listing built once per ban generation, listings run
 * two at a time with the event loop free between them, and cheap commands never queue behind
 * them; a client that trickles its request is cut at the request deadline.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Ban } from '../../src/common/model.ts'
import { callDaemon } from '../../src/control/socket-client.ts'
import { SHOW_PAGE_MAX } from '../../src/control/protocol.ts'
import { createStore } from '../../src/store/index.ts'
import { cli, startDaemon } from '../helpers/daemon.ts'
import { tempDir } from '../helpers/tmp.ts'

const BANS = 20_000

// N connections at once, each one `show`; answers are counted, not parsed, so the flooding
// process keeps up with the daemon
const FLOOD = `
import { connect } from 'node:net'
const [path, n] = process.argv.slice(1)
let ok = 0, failed = 0, pages = 0, left = Number(n)
const finish = () => { if (--left === 0) { process.stdout.write('done ok=' + ok + ' failed=' + failed + ' pages=' + pages + '\\n'); process.exit(0) } }
for (let i = 0; i < Number(n); i++) {
  const s = connect(path)
  let answer = ''
  s.setEncoding('utf8')
  s.on('connect', () => s.write(JSON.stringify({ cmd: 'show', args: {} }) + '\\n'))
  s.on('data', c => { answer += c })
  s.on('error', () => { failed++; finish() })
  s.on('end', () => {
    if (answer.startsWith('{"ok":true')) { ok++; if (answer.includes('"total":') && (answer.match(/"key":/g) || []).length === ${SHOW_PAGE_MAX}) pages++ } else failed++
    finish()
  })
}
process.stdout.write('sent\\n')
`

test('1,000 concurrent show with 20,000 bans: all answered, none refused, ping and ban answered during the flood', async () => {
  const dir = await tempDir('pal-flood-')
  const socket = join(dir, 'p.sock')
  const state = join(dir, 'state')
  const config = join(dir, 'p.yml')
  await writeFile(config, `state: ${state}\nsocket: ${socket}\nfirewall: {backend: none}\npatterns: {ip: {type: ip}}\n` +
    'streams: {s: {cmd: [sleep, "600"], filters: {f: {regex: ["x <ip>"], ban: 1h}}}}\n')
  const store = createStore({ path: join(state, 'db') })
  await store.start()
  const now = Date.now()
  const batch = store.batch()
  for (let i = 0; i < BANS; i++) {
    const ip = `2001:db8::${i.toString(16)}`
    batch.put('bans', ip, { key: ip, ip, values: { ip }, filter: 's.f', origin: 'detect', since: now, until: now + 3_600_000 + i * 10, level: 0, reporters: ['self'], firewall: true } satisfies Ban)
  }
  await batch.write()
  await store.stop()
  const d = await startDaemon(config, socket)

  // the flood comes from another process, as it would: the test's own event loop stays free to
  // time the honest requests
  const flood = spawn(process.execPath, ['--input-type=module', '-e', FLOOD, socket, '1000'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const events: Array<{ what: string, at: number }> = []
  let out = ''
  const floodDone = new Promise<string>(resolve => {
    flood.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c
      if (out.includes('sent\n') && !events.some(e => e.what === 'sent')) events.push({ what: 'sent', at: performance.now() })
    })
    flood.on('close', () => { events.push({ what: 'flood done', at: performance.now() }); resolve(out) })
  })
  while (!events.some(e => e.what === 'sent')) await new Promise(resolve => setTimeout(resolve, 5))
  const ping = callDaemon(socket, 'ping', {}, 120_000).then(() => events.push({ what: 'ping', at: performance.now() }))
  const ban = callDaemon(socket, 'ban', { ip: '198.51.100.77' }, 120_000).then(() => events.push({ what: 'ban', at: performance.now() }))
  await Promise.all([ping, ban])
  const report = await floodDone
  const m = /done ok=(\d+) failed=(\d+) pages=(\d+)/.exec(report)
  assert.ok(m !== null, report)
  assert.equal(Number(m[2]), 0, `refused or failed: ${report}`)
  assert.equal(Number(m[1]), 1000)
  assert.equal(Number(m[3]), 1000, `every answer a full page of ${SHOW_PAGE_MAX} bans`)
  const at = (what: string): number => events.find(e => e.what === what)!.at
  assert.ok(at('ping') < at('flood done'), `ping answered during the flood: ${JSON.stringify(events)}`)
  assert.ok(at('ban') < at('flood done'), 'a ban made during the flood')

  // the CLI still lists everything, page after page
  const all = await cli(['-s', socket, 'show', '--json'])
  assert.equal(all.code, 0, all.stderr)
  assert.equal((JSON.parse(all.stdout) as { bans: Ban[] }).bans.length, BANS + 1)
  assert.equal(d.child.exitCode, null)
})

test('a client that trickles its request is cut at the deadline; one over 64 KiB is refused at once', async () => {
  const dir = await tempDir('pal-slow-')
  const socket = join(dir, 'p.sock')
  const config = join(dir, 'p.yml')
  await writeFile(config, `state: ${join(dir, 'state')}\nsocket: ${socket}\nfirewall: {backend: none}\npatterns: {ip: {type: ip}}\n` +
    'streams: {s: {cmd: [sleep, "600"], filters: {f: {regex: ["x <ip>"], ban: 1h}}}}\n')
  await startDaemon(config, socket)
  const t0 = performance.now()
  const cut = await new Promise<number>(resolve => {
    const s = connect(socket)
    s.on('error', () => {})
    const drip = setInterval(() => { if (!s.destroyed) s.write(' ') }, 100)
    s.on('close', () => { clearInterval(drip); resolve(performance.now() - t0) })
  })
  assert.ok(cut < 30_000, `trickling client cut after ${Math.round(cut)} ms (idle timeout alone never fires for it)`)
  const big = await new Promise<string>(resolve => {
    const s = connect(socket)
    let answer = ''
    s.setEncoding('utf8').on('data', (c: string) => { answer += c }).on('close', () => resolve(answer)).on('error', () => {})
    s.write('{"cmd":"ping","args":{"x":"' + 'a'.repeat(70 * 1024))
  })
  assert.match(big, /PAL_ERR_CONTROL_BAD_REQUEST.*request over 65536 bytes/)
  const ok = await callDaemon(socket, 'ping')
  assert.ok(typeof (ok as { pid: number }).pid === 'number')
})

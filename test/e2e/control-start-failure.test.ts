/**
 * A start that fails half-way exits by itself with the reason. Before, a failure after the
 * control socket's listen (a path the kernel truncated, so chmod found no file) left the listening
 * server open and the process running, half-started; `start` now also exits once it has printed
 * the reason, whatever a failed stage left open.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createLogger } from '../../src/common/logger.ts'
import { ControlServer } from '../../src/control/socket-server.ts'
import { BIN, startDaemon } from '../helpers/daemon.ts'
import { tempDir } from '../helpers/tmp.ts'

test('a daemon whose socket is taken exits 1 with the reason instead of lingering', async () => {
  const dir = await tempDir('pal-startfail-')
  const socket = join(dir, 'p.sock')
  const stream = 'streams: {s: {cmd: [sleep, "600"], filters: {f: {regex: ["x <ip>"], ban: 1h}}}}\n'
  await writeFile(join(dir, 'a.yml'), `state: ${join(dir, 'a')}\nsocket: ${socket}\nfirewall: {backend: none}\npatterns: {ip: {type: ip}}\n${stream}`)
  await writeFile(join(dir, 'b.yml'), `state: ${join(dir, 'b')}\nsocket: ${socket}\nfirewall: {backend: none}\npatterns: {ip: {type: ip}}\n${stream}`)
  await startDaemon(join(dir, 'a.yml'), socket)
  const second = spawn(process.execPath, [BIN, 'start', '-c', join(dir, 'b.yml')], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  second.stdout.on('data', (b: Buffer) => { output += b.toString() })
  second.stderr.on('data', (b: Buffer) => { output += b.toString() })
  const guard = setTimeout(() => second.kill('SIGKILL'), 60_000)
  const code = await new Promise<number | null>(resolve => second.on('close', c => resolve(c)))
  clearTimeout(guard)
  assert.equal(code, 1, `expected exit 1 by itself, got ${String(code)}: ${output}`)
  assert.match(output, /another palisade daemon is listening on/)
})

test('a control socket whose start fails after listening closes its server', async () => {
  const dir = await tempDir('pal-sockfail-')
  const path = join(dir, 'a'.repeat(120) + '.sock')
  // the kernel binds the name cut to sun_path's 107 bytes, so the chmod of the full path fails
  const bound = Buffer.from(path).subarray(0, 107).toString()
  const s = new ControlServer(path, new Map(), createLogger({ level: 'silent' }))
  await assert.rejects(s.start(), /ENOENT/)
  const reachable = await new Promise<boolean>(resolve => {
    const c = connect(bound)
    c.once('connect', () => { c.destroy(); resolve(true) })
    c.once('error', () => resolve(false))
  })
  assert.equal(reachable, false, 'the failed server still listens on the truncated name')
})

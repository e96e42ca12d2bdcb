/**
 * `--ext-str` / `--ext-code` on the real command line: `test-config` evaluates a Jsonnet
 * configuration with them (NAME alone reads the environment), and a malformed one is refused by
 * `test-config` and `start` alike, naming the flag.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cli, startDaemon } from '../helpers/daemon.ts'
import { tempDir } from '../helpers/tmp.ts'

const hasJsonnet = ((): boolean => {
  try { execFileSync('jsonnet', ['--version'], { stdio: 'ignore' }); return true } catch { return false }
})()
const skip = !hasJsonnet && 'jsonnet not installed'

const CONFIG = `{
  state: std.extVar('state'),
  patterns: { ip: { type: 'ip' } },
  streams: { s: { cmd: ['tail', '-F', std.extVar('log')], filters: { f: { regex: std.extVar('regexes'), retry: std.extVar('retry'), retryperiod: '1h', ban: '1h' } } } },
}
`

test('test-config evaluates Jsonnet with --ext-str and --ext-code', { skip }, async () => {
  const dir = await tempDir('palisade-ext-')
  const file = join(dir, 'p.jsonnet')
  await writeFile(file, CONFIG)
  const r = await cli([
    '-c', file, 'test-config', '--json',
    '--ext-str', `state=${join(dir, 'state')}`, '--ext-str', 'log',
    '--ext-code', "regexes=['from <ip> port']", '--ext-code', 'retry=4'
  ], { env: { ...process.env, log: '/var/log/auth.log' } })
  assert.equal(r.code, 0, r.stderr)
  type Shown = { state: string, streams: { s: { cmd: string[], filters: Array<{ retry: number }> } } }
  const c = JSON.parse(r.stdout) as Shown
  assert.deepEqual(c.streams.s.cmd, ['tail', '-F', '/var/log/auth.log'])
  assert.equal(c.streams.s.filters[0].retry, 4)
  assert.equal(c.state, join(dir, 'state'))
})

test('a malformed or missing external variable is refused naming the flag', { skip }, async () => {
  const dir = await tempDir('palisade-ext-')
  const file = join(dir, 'p.jsonnet')
  await writeFile(file, CONFIG)
  const bad = await cli(['-c', file, 'test-config', '--ext-str', '1x=2'])
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /--ext-str "1x=2": expected NAME=VALUE/)
  const start = await cli(['-c', file, 'start', '--ext-code', 'no-such'])
  assert.equal(start.code, 1)
  assert.match(start.stderr, /--ext-code "no-such": expected NAME=VALUE/)
  const env = { ...process.env }
  delete env.log
  const unset = await cli(['-c', file, 'test-config', '--ext-str', 'log', '--ext-str', 'state=/x', '--ext-code', 'regexes=[]', '--ext-code', 'retry=1'], { env })
  assert.equal(unset.code, 1)
  assert.match(unset.stderr, /--ext-str log: the environment variable log is not set/)
})

test('a reload evaluates the configuration with the external variables the daemon started with', { skip }, async () => {
  const dir = await tempDir('palisade-ext-')
  const file = join(dir, 'p.jsonnet')
  const socket = join(dir, 'palisade.sock')
  await writeFile(file, `{
  state: std.extVar('state'), socket: std.extVar('socket'), firewall: { backend: 'none' },
  patterns: { ip: { type: 'ip' } },
  streams: { s: { cmd: ['sleep', 'infinity'], filters: { f: { regex: ['from <ip>'], retry: 1, ban: std.extVar('ban') } } } },
}
`)
  const d = await startDaemon(file, socket, {
    args: ['--ext-str', `state=${join(dir, 'state')}`, '--ext-str', `socket=${socket}`, '--ext-str', 'ban=1h']
  })
  const r = await cli(['-s', socket, 'reload', '--json'])
  assert.equal(r.code, 0, r.stdout + r.stderr + d.log())
  await d.stop()
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { availableParallelism } from 'node:os'
import { loadConfig } from '../../../src/config/index.ts'

/** reaction's published configurations run unchanged (README, tail variant, v1 anchors, jsonnet). */
const dir = join(import.meta.dirname, '../../fixtures/config/reaction')
const env = { isRoot: true, cwd: '/' }

const IP46 = (op: string): string[] => ['ip46tables', '-w', op, 'reaction', '-s', '<ip>', '-j', 'DROP']

test('README example: journalctl stream with ip46tables ban/unban actions', async () => {
  const c = await loadConfig(join(dir, 'readme-journalctl.yml'), env)
  assert.equal(c.start.length, 3)
  assert.equal(c.stop.length, 4)
  assert.deepEqual(c.patterns.ip.ipv6mask, 64)
  assert.deepEqual(c.patterns.ip.ignore, ['127.0.0.1', '::1'])
  const s = c.streams.ssh
  assert.deepEqual(s.source, { kind: 'command' })
  assert.deepEqual(s.cmd, ['journalctl', '-fu', 'sshd.service'])
  const f = s.filters[0]
  assert.deepEqual([f.id, f.retry, f.retryperiod, f.ban, f.regex.length], ['ssh.failedlogin', 3, 6 * 3_600_000, 0, 3])
  assert.deepEqual(f.actions.map(a => [a.id, a.cmd, a.after]), [
    ['ssh.failedlogin.ban', IP46('-A'), 0],
    ['ssh.failedlogin.unban', IP46('-D'), 48 * 3_600_000]
  ])
})

test('tail -n0 -F variant, concurrency 0 and ignorecidr', async () => {
  const c = await loadConfig(join(dir, 'tail-file.yml'), env)
  assert.equal(c.concurrency, availableParallelism(), 'reaction: concurrency 0 means one action per CPU')
  assert.deepEqual(c.streams.ssh.cmd, ['tail', '-n0', '-F', '/var/log/auth.log'])
  assert.deepEqual(c.patterns.ip.ignorecidr, ['192.168.1.0/24'])
})

test('v1 example: definitions anchors, ip regex without type is an IP pattern, onexit', async () => {
  const c = await loadConfig(join(dir, 'v1-example.yml'), env)
  assert.equal(c.patterns.ip.type, 'ip')
  assert.equal(c.patterns.ip.regex, String.raw`(([0-9]{1,3}\.){3}[0-9]{1,3})|([0-9a-fA-F:]{2,90})`)
  const [ban, unban] = c.streams.ssh.filters[0].actions
  assert.deepEqual(ban.cmd, IP46('-A'))
  assert.equal(unban.onexit, true)
})

test('jsonnet example', async (t) => {
  try { execFileSync('jsonnet', ['--version'], { stdio: 'ignore' }) } catch { t.skip('jsonnet not installed (load.test.ts checks the error)'); return }
  const c = await loadConfig(join(dir, 'example.jsonnet'), env)
  const f = c.streams.ssh.filters[0]
  assert.deepEqual(f.actions.map(a => [a.cmd, a.after]), [[IP46('-A'), 0], [IP46('-D'), 48 * 3_600_000]])
})

test('examples/palisade.yml (the shipped default) loads', async () => {
  const c = await loadConfig(join(import.meta.dirname, '../../../examples/palisade.yml'), env)
  const s = c.streams.ssh
  assert.deepEqual(s.source, { kind: 'file', path: '/var/log/auth.log', orJournal: ['_SYSTEMD_UNIT=ssh.service'] })
  const f = s.filters[0]
  assert.deepEqual([f.name, f.retry, f.retryperiod, f.ban], ['failedlogin', 3, 6 * 3_600_000, 48 * 3_600_000])
  assert.equal(c.firewall.backend, 'auto')
  assert.equal(c.state, '/var/lib/palisade')
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { loadConfig } from '../../../src/config/index.ts'
import { issuesOf, tempDir, userEnv } from './helpers.ts'

/** A stream split across the files of a configuration directory merges as reaction merges it. */
const env = { isRoot: true, cwd: '/' }

test('one stream across two files: `cmd` in one, another filter in the other', async () => {
  const c = await loadConfig(join(import.meta.dirname, '../../fixtures/reaction/split'), env)
  const s = c.streams.ssh
  assert.deepEqual(s.cmd, ['journalctl', '-fn0', '-u', 'sshd.service'])
  assert.deepEqual(s.filters.map(f => [f.id, f.ban]), [['ssh.failedlogin', 3_600_000], ['ssh.invaliduser', 7_200_000]])
})

test('the same filter in two files is refused with both places', async () => {
  const t = tempDir()
  const a = t.write('conf/a.yml', `patterns: { ip: { type: ip } }
streams:
  ssh:
    cmd: [journalctl, -f]
    filters:
      fail: { regex: ['from <ip>'], ban: 1h }
`)
  const b = t.write('conf/b.yml', `streams:
  ssh:
    filters:
      other: { regex: ['user from <ip>'], ban: 1h }
      fail: { regex: ['x <ip>'], ban: 2h }
`)
  const issues = await issuesOf(join(t.dir, 'conf'), userEnv(t.dir))
  assert.deepEqual(issues, [`${b}:5:7: streams.ssh.filters.fail: filter \`ssh.fail\` is defined twice: here and at ${a}:6:7 (a stream may be split across files, each filter in one)`])
})

test('a stream key set in two files: the same value is accepted, a different one refused with both places', async () => {
  const t = tempDir()
  const a = t.write('conf/a.yml', `patterns: { ip: { type: ip } }
streams:
  ssh:
    cmd: [journalctl, -f]
    filters:
      fail: { regex: ['from <ip>'], ban: 1h }
`)
  t.write('conf/b.yml', `streams:
  ssh:
    cmd: [journalctl, -f]
    filters:
      other: { regex: ['user <ip>'], ban: 1h }
`)
  const c = await loadConfig(join(t.dir, 'conf'), userEnv(t.dir))
  assert.equal(c.streams.ssh.filters.length, 2)
  const b = t.write('conf/b.yml', `streams:
  ssh:
    cmd: [tail, -F, /var/log/auth.log]
    filters:
      other: { regex: ['user <ip>'], ban: 1h }
`)
  const issues = await issuesOf(join(t.dir, 'conf'), userEnv(t.dir))
  assert.deepEqual(issues, [`${b}:3:5: streams.ssh.cmd: \`streams.ssh.cmd\` is set twice with different values: here and at ${a}:4:5`])
})

test('an error inside the second file\'s part of a split stream is located in that file', async () => {
  const t = tempDir()
  t.write('conf/a.yml', `patterns: { ip: { type: ip } }
streams:
  ssh:
    cmd: [journalctl, -f]
    filters:
      fail: { regex: ['from <ip>'], ban: 1h }
`)
  const b = t.write('conf/b.yml', `streams:
  ssh:
    filters:
      other: { regex: ['user <ipp>'], ban: 1h }
`)
  const issues = await issuesOf(join(t.dir, 'conf'), userEnv(t.dir))
  assert.equal(issues.length, 1, issues.join('\n'))
  assert.ok(issues[0].startsWith(`${b}:4:24: streams.ssh.filters.other.regex.0: unknown pattern \`<ipp>\``), issues[0])
})

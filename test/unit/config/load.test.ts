import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { PalisadeError } from '../../../src/common/errors.ts'
import { loadConfig, parseConfig } from '../../../src/config/index.ts'
import { issuesOf, tempDir, userEnv, SSH_STREAM } from './helpers.ts'

test('a directory merges files in alphanumeric order, skipping . and _ files', async () => {
  const { dir, write } = tempDir()
  write('10-streams.yml', SSH_STREAM)
  write('2-patterns.json', '{"patterns": {"ip": {"type": "ip"}}, "start": [["echo", "two"]]}')
  write('1-base.yaml', 'state: st\nstart: [[echo, one]]\n')
  write('_disabled.yml', 'nonsense: [')
  write('.hidden.yml', 'nonsense: [')
  write('notes.txt', 'not a config')
  const c = await loadConfig(dir, userEnv('/'))
  assert.deepEqual(c.files, ['1-base.yaml', '2-patterns.json', '10-streams.yml'].map(n => join(dir, n)))
  assert.deepEqual(c.start, [['echo', 'one'], ['echo', 'two']])
  assert.equal(c.state, join(dir, 'st'), 'relative state resolves against the file that set it')
  assert.deepEqual(Object.keys(c.streams), ['ssh'])
})

test('the same pattern or scalar key, or a stream key with two values, in two files is an error naming both places', async () => {
  const { dir, write } = tempDir()
  const a = write('a.yml', `${SSH_STREAM}patterns: {ip: {type: ip}}\nstate: /x\n`)
  const b = write('b.json', `{
  "state": "/y",
  "patterns": {"ip": {"type": "ip"}},
  "streams": {"ssh": {"cmd": ["cat"], "filters": {"f": {"regex": ["<ip>"], "ban": "1h"}}}},
  "start": [["echo", 1]]
}`)
  assert.deepEqual(await issuesOf(dir), [
    `${b}:2:3: state: \`state\` is set twice: here and at ${a}:9:1`,
    `${b}:3:16: patterns.ip: pattern \`ip\` is defined twice: here and at ${a}:8:12`,
    // a stream may be split across files (as in reaction), but not given two different commands
    `${b}:4:23: streams.ssh.cmd: \`streams.ssh.cmd\` is set twice with different values: here and at ${a}:3:5`,
    `${b}:5:13: start.0: expected a list of strings (argv), got 1 at position 1`
  ])
})

test('JSON positions are exact too', async () => {
  const { write } = tempDir()
  const f = write('c.json', '{\n  "patterns": {"ip": {"type": "ip"}},\n  "streams": {"s": {"cmd": ["cat"], "filters": {"f": {"regex": ["<ip>"], "retry": "three", "ban": "1h"}}}}\n}\n')
  assert.deepEqual(await issuesOf(f), [`${f}:3:83: streams.s.filters.f.retry: expected a positive integer, got "three"`])
})

test('read errors carry PAL_ERR_CONFIG_READ', async () => {
  const { dir, write } = tempDir()
  await assert.rejects(loadConfig(join(dir, 'missing.yml')), (e: unknown) => e instanceof PalisadeError && e.code === 'PAL_ERR_CONFIG_READ')
  const txt = write('x.toml', 'a = 1')
  await assert.rejects(loadConfig(txt), (e: unknown) => e instanceof PalisadeError && e.code === 'PAL_ERR_CONFIG_READ' && /unknown configuration format/.test(e.message))
  const { dir: empty } = tempDir()
  await assert.rejects(loadConfig(empty), (e: unknown) => e instanceof PalisadeError && /no configuration file/.test(e.message))
  assert.ok(dir)
})

function hasJsonnet (): boolean {
  try { execFileSync('jsonnet', ['--version'], { stdio: 'ignore' }); return true } catch { return false }
}

test('jsonnet is evaluated by the jsonnet command; its errors name only the file', async () => {
  const { write } = tempDir()
  const ok = write('ok.jsonnet', `local ban(t) = { ban: { cmd: ['echo', '<ip>'] }, unban: { cmd: ['echo', '<ip>'], after: t } };
{ patterns: { ip: { type: 'ip' } }, streams: { s: { cmd: ['cat'], filters: { f: { regex: ['<ip>'], actions: ban('1h') } } } } }`)
  const bad = write('bad.jsonnet', "{ patterns: { ip: { type: 'ip' } }, streams: { s: { cmd: ['cat'], filters: { f: { regex: ['<ip>'], retry: 'three', ban: '1h' } } } } }")
  const broken = write('broken.jsonnet', '{ a: ')
  if (!hasJsonnet()) {
    await assert.rejects(loadConfig(ok), (e: unknown) => e instanceof PalisadeError && e.code === 'PAL_ERR_CONFIG_JSONNET' && /jsonnet command not found: apt install jsonnet/.test(e.message))
    return
  }
  const c = await loadConfig(ok, userEnv('/'))
  assert.equal(c.streams.s.filters[0].actions[1].after, 3_600_000)
  assert.deepEqual(await issuesOf(bad), [`${bad}: streams.s.filters.f.retry: expected a positive integer, got "three"`])
  await assert.rejects(loadConfig(broken), (e: unknown) => e instanceof PalisadeError && e.code === 'PAL_ERR_CONFIG_JSONNET')
})

test('parseConfig is pure and merges sources in the order given', () => {
  const c = parseConfig([
    { file: '/etc/palisade/a.yml', text: SSH_STREAM, format: 'yaml' },
    { file: '/etc/palisade/b.json', text: '{"patterns": {"ip": {"type": "ip"}}}', format: 'json' }
  ], { isRoot: true, cwd: '/' })
  assert.deepEqual(c.files, ['/etc/palisade/a.yml', '/etc/palisade/b.json'])
  assert.equal(c.streams.ssh.filters[0].ban, 3_600_000)
})

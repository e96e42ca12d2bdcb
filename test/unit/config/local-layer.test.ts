import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { loadConfig } from '../../../src/config/index.ts'
import { issuesOf, tempDir, userEnv } from './helpers.ts'

/** `*.local.yml` overrides the keys it sets, like fail2ban's jail.local; base files keep their rule. */
const root = join(import.meta.dirname, '../../..')
const run = promisify(execFile)
const H = 3_600_000

const BASE = `patterns: { ip: { type: ip } }
streams:
  ssh:
    cmd: [journalctl, -f]
    filters:
      fail:
        regex: ['Failed password for .* from <ip>']
        retry: 3
        retryperiod: 6h
        ban: 1h
`

test('a .local.yml overrides only the keys it sets; the packaged file is untouched', async () => {
  const t = tempDir()
  const base = t.write('conf/10-ssh.yml', BASE)
  // alphabetically before the base file: still applied after it
  t.write('conf/00-site.local.yml', 'streams: { ssh: { filters: { fail: { ban: 2d } } } }\nconcurrency: 4\n')
  const c = await loadConfig(join(t.dir, 'conf'), userEnv(t.dir))
  const f = c.streams.ssh.filters[0]
  assert.equal(f.ban, 48 * H)
  assert.equal(f.retry, 3, 'keys the local file does not set keep the base value')
  assert.equal(c.concurrency, 4)
  assert.equal(readFileSync(base, 'utf8'), BASE)
})

test('a later .local file wins over an earlier one; a plain duplicate in two base files stays an error', async () => {
  const t = tempDir()
  t.write('conf/10-ssh.yml', BASE)
  t.write('conf/a.local.yaml', 'concurrency: 4\n')
  t.write('conf/b.local.json', '{"concurrency": 6}\n')
  assert.equal((await loadConfig(join(t.dir, 'conf'), userEnv(t.dir))).concurrency, 6)
  const t2 = tempDir()
  const a = t2.write('conf/a.yml', `${BASE}concurrency: 2\n`)
  const b = t2.write('conf/b.yml', 'concurrency: 3\n')
  assert.deepEqual(await issuesOf(join(t2.dir, 'conf'), userEnv(t2.dir)), [`${b}:1:1: concurrency: \`concurrency\` is set twice: here and at ${a}:11:1`])
})

test('an invalid value set by the local file is located in the local file', async () => {
  const t = tempDir()
  t.write('conf/10-ssh.yml', BASE)
  const local = t.write('conf/site.local.yml', 'streams:\n  ssh:\n    filters:\n      fail:\n        ban: soon\n')
  const issues = await issuesOf(join(t.dir, 'conf'), userEnv(t.dir))
  assert.equal(issues.length, 1, issues.join('\n'))
  assert.ok(issues[0].startsWith(`${local}:5:14: streams.ssh.filters.fail.ban: expected a duration`), issues[0])
})

test('test-config --sources (the real CLI) names the file each value came from', async () => {
  const t = tempDir()
  const base = t.write('conf/10-ssh.yml', BASE)
  const local = t.write('conf/site.local.yml', 'streams: { ssh: { filters: { fail: { ban: 2d } } } }\n')
  const { stdout } = await run(join(root, 'node_modules/.bin/node'), [join(root, 'bin/palisade.ts'), '-c', join(t.dir, 'conf'), 'test-config', '--sources'], { cwd: t.dir })
  assert.match(stdout, new RegExp(`^streams\\.ssh\\.filters\\.fail\\.ban: "2d"  # ${local}:1:43$`, 'm'))
  assert.match(stdout, new RegExp(`^streams\\.ssh\\.filters\\.fail\\.retry: 3  # ${base}:8:16$`, 'm'))
})

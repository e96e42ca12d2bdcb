import { test } from 'node:test'
import assert from 'node:assert/strict'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../../src/config/index.ts'
import { SSH_STREAM, issuesOf, tempDir, userEnv } from './helpers.ts'

/** Top-level keys with reaction's meaning (reaction's reference/top-level.md). */

test('state_directory: a relative path is relative to the working directory, as reaction runs it', async () => {
  const t = tempDir()
  const file = t.write('etc/reaction/reaction.yml', `${SSH_STREAM}patterns: {ip: {type: ip}}\nstate_directory: data\n`)
  const c = await loadConfig(file, userEnv(join(t.dir, 'var/lib/reaction')))
  assert.equal(c.state, join(t.dir, 'var/lib/reaction/data'), 'not next to the configuration file')
})

test('concurrency: unset or 0 = one action per CPU, negative = unlimited, positive = that many', async () => {
  const t = tempDir()
  const at = (n: string): Promise<number> => loadConfig(t.write(`c${n}.yml`, `${SSH_STREAM}patterns: {ip: {type: ip}}\n${n === '' ? '' : `concurrency: ${n}\n`}`), userEnv(t.dir)).then(c => c.concurrency)
  assert.equal(await at(''), availableParallelism())
  assert.equal(await at('0'), availableParallelism())
  assert.equal(await at('-1'), -1)
  assert.equal(await at('8'), 8)
})

test('durations in reaction\'s units: ms, millis, "10 secs", "1day"', async () => {
  const t = tempDir()
  const file = t.write('c.yml', `patterns: {ip: {type: ip}}
streams:
  s:
    cmd: [cat]
    filters:
      f:
        regex: ['<ip>']
        retry: 2
        retryperiod: 1day
        actions:
          a: { cmd: [echo, '<ip>'], after: 250ms }
          b: { cmd: [echo, '<ip>'], after: 1500 millis }
          c: { cmd: [echo, '<ip>'], after: '10 secs' }
`)
  const f = (await loadConfig(file, userEnv(t.dir))).streams.s.filters[0]
  assert.equal(f.retryperiod, 86_400_000)
  assert.deepEqual(f.actions.map(a => a.after), [250, 1500, 10_000])
})

test('state_rotation_interval accepts a duration or null; anything else is refused', async () => {
  const t = tempDir()
  for (const v of ['24h', 'null']) {
    const c = await loadConfig(t.write(`ok-${v}.yml`, `${SSH_STREAM}patterns: {ip: {type: ip}}\nstate_rotation_interval: ${v}\n`), userEnv(t.dir))
    assert.ok(c.notes?.some(n => n.startsWith('state_rotation_interval: ignored')))
  }
  const bad = t.write('bad.yml', `${SSH_STREAM}patterns: {ip: {type: ip}}\nstate_rotation_interval: often\n`)
  const issues = await issuesOf(bad, userEnv(t.dir))
  assert.equal(issues.length, 1, issues.join('\n'))
  assert.match(issues[0], /state_rotation_interval: /)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { openSync, readFileSync, statSync, closeSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../../helpers/tmp.ts'
import { formatLine } from '../../../src/common/log-text.ts'
import { priorityOf } from '../../../src/common/logger.ts'

const LOGGER = join(import.meta.dirname, '../../../src/common/logger.ts')
const script = `const { createLogger } = await import(${JSON.stringify(LOGGER)}); const l = createLogger({ format: process.argv[1] }); l.warn({ component: 'detect', stream: 'ssh', path: '/var/log/a b' }, 'file stream failed'); l.info({ escalation: 2 }, 'ban')`

async function runWith (format: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const file = join(await tempDir('palisade-log-'), 'err')
  const fd = openSync(file, 'w')
  const st = statSync(file)
  const stream = env.JOURNAL_STREAM === 'same' ? { JOURNAL_STREAM: `${st.dev}:${st.ino}` } : {}
  spawnSync(process.execPath, ['--input-type=module', '-e', script, format], { stdio: ['ignore', 'ignore', fd], env: { ...process.env, ...env, ...stream } })
  closeSync(fd)
  return readFileSync(file, 'utf8')
}

test('text format: time, level, where, message, then the fields', () => {
  const line = formatLine(JSON.stringify({ level: 40, time: Date.UTC(2026, 10, 23, 14, 9, 1, 123), component: 'detect', stream: 'ssh', msg: 'file stream failed', path: '/var/log/a b', err: { message: 'EACCES' } }))
  assert.equal(line, '14:09:01.123 WARN  detect ssh: file stream failed path="/var/log/a b" err="EACCES"\n')
})

test('pino levels map to syslog priorities', () => {
  assert.deepEqual([10, 20, 30, 40, 50, 60].map(l => priorityOf(`{"level":${l},"msg":"x"}`)), [7, 7, 6, 4, 3, 2])
})

test('not a terminal: JSON lines; under journald each line carries its priority', async () => {
  const plain = (await runWith('auto')).trim().split('\n')
  assert.equal(JSON.parse(plain[0]).msg, 'file stream failed')
  const journal = (await runWith('auto', { JOURNAL_STREAM: 'same' })).trim().split('\n')
  assert.match(journal[0], /^<4>\{"level":40/)
  assert.match(journal[1], /^<6>\{"level":30.*"escalation":2/)
  // a JOURNAL_STREAM naming another stream (inherited from a parent service) is not ours
  assert.match((await runWith('auto', { JOURNAL_STREAM: '1:2' })).split('\n')[0], /^\{"level"/)
  assert.match((await runWith('text')).split('\n')[0], /WARN {2}detect ssh: file stream failed path="\/var\/log\/a b"$/)
})

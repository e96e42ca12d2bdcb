import { test } from 'node:test'
import assert from 'node:assert/strict'
import { journalArgv, parseJournalLine } from '../../../src/detect/index.ts'
import { journalBatch } from '../../../src/detect/journal.ts'

test('argv: -n0 without a cursor, --after-cursor with one, never --cursor-file', () => {
  assert.deepEqual(journalArgv(['_SYSTEMD_UNIT=ssh.service']), ['journalctl', '--follow', '--no-tail', '-o', 'json',
    '--output-fields=MESSAGE,__CURSOR,__REALTIME_TIMESTAMP,_PID,SYSLOG_IDENTIFIER', '-n0', '_SYSTEMD_UNIT=ssh.service'])
  const withCursor = journalArgv(['-u', 'ssh'], 's=abc;i=1')
  assert.ok(withCursor.includes('--after-cursor=s=abc;i=1'))
  assert.ok(!withCursor.includes('-n0'))
  assert.ok(!withCursor.some(a => a.startsWith('--cursor-file')))
  assert.deepEqual(withCursor.slice(-2), ['-u', 'ssh'])
})

test('a JSON entry gives MESSAGE, time in ms and cursor', () => {
  const e = parseJournalLine(JSON.stringify({ MESSAGE: 'Failed password for x from 192.0.2.1 port 22 ssh2', __CURSOR: 's=1;i=2', __REALTIME_TIMESTAMP: '1767225600123456', _PID: '42' }))
  assert.deepEqual(e, { message: 'Failed password for x from 192.0.2.1 port 22 ssh2', time: 1767225600123, cursor: 's=1;i=2', prefix: '' })
})

test('a MESSAGE that is not valid UTF-8 comes as bytes and is decoded lossily', () => {
  const bytes = [...Buffer.from('user '), 0xff, 0xfe, ...Buffer.from(' from 192.0.2.7')]
  const e = parseJournalLine(JSON.stringify({ MESSAGE: bytes, __CURSOR: 'c' }))
  assert.equal(e?.message, 'user \uFFFD\uFFFD from 192.0.2.7')
  assert.equal(e?.time, undefined)
})

test('garbage and entries without MESSAGE are skipped; the batch carries the last cursor', () => {
  assert.equal(parseJournalLine('not json'), null)
  assert.equal(parseJournalLine('{"__CURSOR":"x"}'), null)
  const b = journalBatch([
    JSON.stringify({ MESSAGE: 'a\nb', __CURSOR: 'c1', __REALTIME_TIMESTAMP: '2000' }),
    'junk',
    JSON.stringify({ MESSAGE: 'c', __CURSOR: 'c2' })
  ], 99)
  assert.deepEqual(b, { lines: ['a', 'b', 'c'], time: [2, 2, 99], checkpoint: { kind: 'journal', cursor: 'c2' } })
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { journalBatch } from '../../../src/detect/journal.ts'
import { parseConfig } from '../../../src/config/index.ts'
import { cli } from '../../helpers/daemon.ts'

/**
 * A stream with the sshd preset reading the journal sees each entry as syslog writes it,
 * `IDENT[PID]: MESSAGE`, so the preset's link (keyed by sshd's pid) attributes the lines that carry
 * no address, as it does in /var/log/auth.log. A bare MESSAGE has no pid: the same lines counted nothing.
 */
const entry = (msg: string, pid = '4242', ident: unknown = 'sshd-session'): string =>
  JSON.stringify({ MESSAGE: msg, __CURSOR: `c${msg.length}`, __REALTIME_TIMESTAMP: '1796000000000000', _PID: pid, SYSLOG_IDENTIFIER: ident })

const entries = [
  entry('Connection from 203.0.113.50 port 50022 on 192.0.2.1 port 22 rdomain ""'),
  entry('User bob not allowed because account is locked'),
  entry('User bob not allowed because account is locked')
]

test('the sshd preset reads the journal in syslog form', () => {
  const c = parseConfig([{ file: 'p.yml', format: 'yaml', text: 'streams: {ssh: {preset: sshd, journal: {matches: [_COMM=sshd]}}}\n' }])
  assert.deepEqual(c.streams.ssh.source, { kind: 'journal', matches: ['_COMM=sshd'], syslogForm: true })
  const user = parseConfig([{ file: 'u.yml', format: 'yaml', text: 'patterns: {ip: {type: ip}}\nstreams: {s: {journal: {matches: [_COMM=x]}, filters: {f: {regex: [\'from <ip>\'], ban: 1h}}}}\n' }])
  assert.deepEqual(user.streams.s.source, { kind: 'journal', matches: ['_COMM=x'] }, 'a stream of its own regexes sees MESSAGE alone')
})

test('IDENT[PID]: is added only from plain fields', () => {
  const b = journalBatch([entry('a'), entry('b', 'x1'), entry('c', '7', 'evil ident[1]:'), entry('d\ne', '9', 'sshd')], 0, true)
  assert.deepEqual(b.lines, ['sshd-session[4242]: a', 'b', 'c', 'sshd[9]: d', 'sshd[9]: e'])
  assert.deepEqual(journalBatch([entry('a')], 0).lines, ['a'], 'without syslogForm: the MESSAGE as it is')
})

test('link attributes address-less journal lines through the pid', async () => {
  const run = async (syslogForm: boolean): Promise<string> => {
    const input = journalBatch(entries, 0, syslogForm).lines.join('\n') + '\n'
    const r = await cli(['test-regex', '--preset', 'sshd', '-'], { input })
    assert.equal(r.code, 0, r.stderr)
    return r.stdout
  }
  assert.equal((await run(true)).split('\n').filter(l => l.startsWith('203.0.113.50\t')).length, 2)
  assert.equal(await run(false), '', 'a bare MESSAGE carries no pid to link')
})

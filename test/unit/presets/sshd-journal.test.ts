/**
 * The journal matches of the sshd-family presets name trusted fields only. journald sets `_COMM`,
 * `_UID`, `_SYSTEMD_UNIT` itself from the sending process; `SYSLOG_IDENTIFIER` is whatever the
 * sender says (`logger -t sshd "Failed password for root from 198.51.100.9 port 22 ssh2"` by any
 * local user), and a user's own binary may be called sshd. journalctl(1) reads its arguments as:
 * terms separated by `+` are alternatives; inside a term, matches on one field are alternatives and
 * different fields must all hold. The entries below are what journald records for each sender.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { getPreset } from '../../../src/config/presets/index.ts'

type Entry = Record<string, string | undefined>

function journalMatches (args: readonly string[], e: Entry): boolean {
  const terms: string[][] = [[]]
  for (const a of args) {
    if (a === '+') terms.push([])
    else terms[terms.length - 1].push(a)
  }
  return terms.some(term => {
    const fields = new Map<string, string[]>()
    for (const m of term) {
      const eq = m.indexOf('=')
      const k = m.slice(0, eq)
      fields.set(k, [...(fields.get(k) ?? []), m.slice(eq + 1)])
    }
    return term.length > 0 && [...fields].every(([k, vs]) => e[k] !== undefined && vs.includes(e[k]!))
  })
}

const FORGED: Array<[string, Entry]> = [
  ['logger -t sshd by a user', { SYSLOG_IDENTIFIER: 'sshd', _COMM: 'logger', _UID: '1000', _SYSTEMD_UNIT: 'session-3.scope' }],
  ['logger -t sshd-session by a user', { SYSLOG_IDENTIFIER: 'sshd-session', _COMM: 'logger', _UID: '1000', _SYSTEMD_UNIT: 'user@1000.service' }],
  ['a user\'s own binary named sshd', { SYSLOG_IDENTIFIER: 'sshd', _COMM: 'sshd', _UID: '1000', _SYSTEMD_UNIT: 'session-3.scope' }],
  ['a user\'s own binary named sshd-session', { SYSLOG_IDENTIFIER: 'sshd-session', _COMM: 'sshd-session', _UID: '1000' }]
]
const GENUINE: Array<[string, Entry]> = [
  ['sshd under systemd (Debian ssh.service)', { SYSLOG_IDENTIFIER: 'sshd', _COMM: 'sshd', _UID: '0', _SYSTEMD_UNIT: 'ssh.service' }],
  ['sshd-session (OpenSSH 9.8) under sshd.service', { SYSLOG_IDENTIFIER: 'sshd-session', _COMM: 'sshd-session', _UID: '0', _SYSTEMD_UNIT: 'sshd.service' }],
  ['sshd started outside systemd units (init script, container)', { SYSLOG_IDENTIFIER: 'sshd', _COMM: 'sshd', _UID: '0' }]
]

const OTHERS: Record<string, { forged: Array<[string, Entry]>, genuine: Array<[string, Entry]> }> = {
  sshd: { forged: FORGED, genuine: GENUINE },
  dropbear: {
    forged: [
      ['logger -t dropbear by a user', { SYSLOG_IDENTIFIER: 'dropbear', _COMM: 'logger', _UID: '1000' }],
      ['a user\'s own binary named dropbear', { SYSLOG_IDENTIFIER: 'dropbear', _COMM: 'dropbear', _UID: '1000', _SYSTEMD_UNIT: 'session-3.scope' }]
    ],
    genuine: [
      ['dropbear.service', { SYSLOG_IDENTIFIER: 'dropbear', _COMM: 'dropbear', _UID: '0', _SYSTEMD_UNIT: 'dropbear.service' }],
      ['dropbear started from inetd', { SYSLOG_IDENTIFIER: 'dropbear', _COMM: 'dropbear', _UID: '0', _SYSTEMD_UNIT: 'inetd.service' }]
    ]
  },
  'pam-generic': {
    forged: [['logger -p authpriv.notice by a user', { SYSLOG_IDENTIFIER: 'sshd', SYSLOG_FACILITY: '10', _COMM: 'logger', _UID: '1000' }]],
    genuine: [
      ['sshd\'s pam_unix', { SYSLOG_IDENTIFIER: 'sshd', SYSLOG_FACILITY: '10', _COMM: 'sshd', _UID: '0', _SYSTEMD_UNIT: 'ssh.service' }],
      ['vsftpd\'s pam_unix', { SYSLOG_IDENTIFIER: 'vsftpd', SYSLOG_FACILITY: '10', _COMM: 'vsftpd', _UID: '0' }]
    ]
  }
}

describe('sshd-family journal matches: trusted fields only', () => {
  for (const [name, { forged, genuine }] of Object.entries(OTHERS)) {
    const journal = getPreset(name)?.source.journal ?? []
    test(`${name}: no SYSLOG_IDENTIFIER match`, () => {
      assert.ok(journal.length > 0)
      for (const m of journal) assert.ok(!m.startsWith('SYSLOG_IDENTIFIER='), m)
    })
    for (const [what, e] of forged) {
      test(`${name}: refuses ${what}`, () => assert.equal(journalMatches(journal, e), false))
    }
    for (const [what, e] of genuine) {
      test(`${name}: reads ${what}`, () => assert.equal(journalMatches(journal, e), true))
    }
  }

  test('the evaluator reads journalctl\'s grammar (and the old match list is what it refuses)', () => {
    const old = ['_SYSTEMD_UNIT=ssh.service', '_SYSTEMD_UNIT=sshd.service', '+', 'SYSLOG_IDENTIFIER=sshd', 'SYSLOG_IDENTIFIER=sshd-session']
    assert.equal(journalMatches(old, FORGED[0][1]), true, 'the identifier alone let logger -t sshd through')
    assert.equal(journalMatches(['A=1', 'B=2'], { A: '1' }), false, 'different fields must all hold')
    assert.equal(journalMatches(['A=1', 'A=2'], { A: '2' }), true, 'one field: alternatives')
  })
})

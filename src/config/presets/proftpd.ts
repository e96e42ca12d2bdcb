import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix, TS_SYSLOG } from './prefix.ts'

/**
 * ProFTPD login failures (fail2ban filter.d/proftpd.conf). Every session line starts with
 * `SERVER (NAME[ADDR])` (src/log.c, session.c): the address comes before the user name, which
 * is client text. Two shapes: syslog (`proftpd[123]: SERVER (NAME[ADDR]) - MSG`) and the
 * SystemLog file (`2026-11-23 14:09:01,123 HOST proftpd[123] SERVER (NAME[ADDR]): MSG`, or with a
 * `Nov 23 14:09:01` date: no colon after the pid).
 * `Maximum login attempts (N) exceeded` sums up N failures already counted: it counts in a
 * filter of its own, `proftpd-max`.
 */
const SYSLOG = syslogPrefix('proftpd')
const SYSTEMLOG = String.raw`${TS_SYSLOG} \S+ proftpd\[\d+\] `
const P = String.raw`^(?:${SYSLOG.slice(1)}|${SYSTEMLOG})\S+ \([^\s\[\]()]*\[<ip>\]\)(?: -|:) `

const REASON = String.raw`(?:User not authorized for login|No such user found|Incorrect password|Password expired|Account disabled|Invalid shell: '\S+'|User in \S+|Limit (?:access|configuration) denies login|(?:User )?[Nn]ot a UserAlias|maximum login length exceeded)`

const LOGIN: string[] = [
  // ftp.example (203.0.113.7[203.0.113.7]) - USER bob (Login failed): Incorrect password.
  // ftp.example (203.0.113.7[203.0.113.7]) - ANON ftp (Login failed): Limit access denies login
  String.raw`${P}(?:USER|ANON) .* \(Login failed\): ${REASON}\.?\s*$`,
  // ftp.example (203.0.113.7[203.0.113.7]) - USER bob: no such user found from 203.0.113.7 [203.0.113.7] to 192.0.2.1:21
  String.raw`${P}USER .*: no such user found from \S* ?\[[^\]\s]*\] to \S+\s*$`,
  // ftp.example (203.0.113.7[203.0.113.7]) - SECURITY VIOLATION: Root login attempted
  String.raw`${P}SECURITY VIOLATION: .* login attempted\.?\s*$`
]

// ftp.example (203.0.113.7[203.0.113.7]) - Maximum login attempts (3) exceeded, connection refused
const MAX = String.raw`${P}Maximum login attempts \(\d+\) exceeded(?:, connection refused)?\s*$`

export const proftpd: Preset = {
  name: 'proftpd',
  description: 'ProFTPD login failures; connections that exhaust MaxLoginAttempts count in their own filter',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['proftpd'],
  forms: 'syslog "SERVER (NAME[ADDR]) - USER … (Login failed)", SystemLog file, journal',
  source: { file: '/var/log/proftpd/proftpd.log', journal: ['_SYSTEMD_UNIT=proftpd.service'] },
  filters (): PresetFilter[] {
    return [
      { name: 'proftpd', regex: LOGIN, retry: 5, retryperiod: '10m', ban: '1h' },
      { name: 'proftpd-max', regex: [MAX], retry: 5, retryperiod: '10m', ban: '1h' }
    ]
  }
}

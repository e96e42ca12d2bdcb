import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix, TS_SYSLOG, TS_TAI64N } from './prefix.ts'
import { pamUnixFailure } from './mail-common.ts'

/**
 * Dovecot IMAP/POP3/submission/ManageSieve login failures (fail2ban filter.d/dovecot.conf; modes
 * normal and aggressive).
 *
 * One failed login is written up to three times: by PAM's pam_unix (PAM passdb only), by the auth
 * process (`passwd-file(USER,ADDR,<session>): unknown user`, with auth_verbose=yes) and, once per
 * connection, by the login process when it closes (`Disconnected (auth failed, N attempts in S
 * secs): …, rip=ADDR`). fail2ban's one filter counts all three, so three attempts ban after one.
 * Here each writer is its own filter (`dovecot`, `dovecot-auth`, `dovecot-pam`) with its own
 * counter: every attempt counts once in each, and whichever writer the host has reaches `retry`
 * on its own. test/fixtures/presets/dovecot-count-once proves it with the three lines together.
 *
 * Attribution:
 * - login lines: the user name (`user=<…>`, str_sanitize'd to 80 characters in
 *   src/login-common/client-common.c, `,` and `>` kept) comes before `rip=`; what follows `rip=`
 *   is Dovecot's own (lip, mpid, TLS state, session id). The regex takes the LAST `rip=` and lets
 *   no `, rip=` follow it, which also keeps it linear on lines of repeated `rip=…, lip=…`.
 * - auth lines: `passdb(USER,ADDR,<session>): REASON`: the name comes first, Dovecot's fixed
 *   reason ends the line, so the regex takes the last `,ADDR` before `): REASON$`. A reason
 *   followed by client text (auth_verbose_passwords=plain's `(given password: …)`) is not
 *   matched: its two client fields could frame a forged address; the SHA1 form is matched.
 *
 * Line shapes: syslog (`… host dovecot[123]: imap-login: …`, older `dovecot: imap-login: …`),
 * journal MESSAGE, Dovecot's own log_path file (`Nov 23 14:09:01 imap-login: Info: …`, no host),
 * and under daemontools/runit multilog's TAI64N stamp (`@4000000063a0b1c20f13d8e4 imap-login: …`).
 */
const SYSLOG = syslogPrefix(String.raw`dovecot(?:-auth)?|auth`)
// dovecot's own log file (a timestamp, no host) and multilog's TAI64N stamp
const OWN = String.raw`(?:${TS_SYSLOG}|${TS_TAI64N}) `
const PROCESS = String.raw`(?:auth(?:-worker)?(?:\([^()\s]*\))?: |(?:pop3|imap|submission|managesieve)-login: )`
// 2.3's auth-worker tags the request with its connection: `conn unix:auth-worker (pid=1,uid=2): auth-worker<3>: `
const WORKER_CONN = String.raw`(?:conn unix:[\w/.-]+ \(pid=\d+,uid=\d+\): auth-worker<\d+>: )?`
const P = String.raw`^(?:${SYSLOG.slice(1)}|${OWN})(?:dovecot: )?${PROCESS}?(?:Info: )?${WORKER_CONN}`

// `rip=ADDRESS` and Dovecot's own tail: no other `, rip=` after the one counted
const RIP = String.raw`(?:.*, )?rip=<ip>(?:,(?! rip=)[^,]*)*$`
// `Disconnected`, `Disconnected: Inactivity`, `Aborted login`, 2.4's `Login aborted: Connection closed`
const CLOSED = String.raw`(?:Aborted login|Disconnected|Login aborted)(?:: [^(]*)? \(`
// 2.4 adds the reason code: `(auth failed, 3 attempts in 12 secs) (auth_failed): `
const REASON_END = String.raw`\)(?: \(\w+\))?: `

const LOGIN_NORMAL = String.raw`${P}${CLOSED}(?:auth failed, \d+ attempts(?: in \d+ secs)?|tried to use (?:disabled|disallowed) \S+ auth|proxy dest auth failed)${REASON_END}${RIP}`
const LOGIN_AGGRESSIVE = String.raw`${P}${CLOSED}(?:no auth attempts(?: in \d+ secs)?|disconnected before auth was ready, waited \d+ secs|client didn't finish \S+ auth, waited \d+ secs|tried to use unsupported auth mechanism)${REASON_END}${RIP}`

// `passdb(USER,ADDRESS,<session>)`: see the attribution note above
const REQUEST = String.raw`\(.*,<ip>(?:,<[^<>()\s]*>)?\): `
const AUTH: string[] = [
  // auth-worker(4321): pam(bob,203.0.113.7,<Xs7a>): pam_authenticate() failed: Authentication failure (password mismatch?)
  String.raw`${P}pam${REQUEST}pam_authenticate\(\) failed: (?:User not known to the underlying authentication module(?:: \d+ Time\(s\))?|Authentication failure \([Pp]assword mismatch\?\)|Permission denied)\s*$`,
  // auth: passwd-file(eve,203.0.113.7,<Aa1>): unknown user / ldap(…): invalid credentials / sql(…): Password mismatch
  String.raw`${P}[a-z][a-z0-9-]{2,14}${REQUEST}(?:unknown user|invalid credentials|[Pp]assword mismatch(?: \(SHA1 of given password: [0-9a-f]+\))?)\s*$`
]

// auth: pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=bob rhost=203.0.113.7  user=bob
const PAM = String.raw`${P}${pamUnixFailure('dovecot', 'dovecot')}`

const MODES = ['normal', 'aggressive'] as const

function filter (name: string, regex: string[]): PresetFilter {
  return { name, regex, retry: 5, retryperiod: '10m', ban: '1h' }
}

export const dovecot: Preset = {
  name: 'dovecot',
  description: 'Dovecot IMAP/POP3/submission/ManageSieve login failures, each writer (login process, auth process, PAM) counted in its own filter; aggressive adds clients that never try to log in',
  modes: MODES,
  defaultMode: 'normal',
  fail2ban: ['dovecot'],
  forms: 'login-process "auth failed" disconnects, auth-worker passdb failures, pam_unix; syslog, journal, own log file, TAI64N',
  source: { file: '/var/log/mail.log', journal: ['_SYSTEMD_UNIT=dovecot.service'] },
  filters (mode: string): PresetFilter[] {
    return [
      filter('dovecot', mode === 'aggressive' ? [LOGIN_NORMAL, LOGIN_AGGRESSIVE] : [LOGIN_NORMAL]),
      filter('dovecot-auth', AUTH),
      filter('dovecot-pam', [PAM])
    ]
  }
}

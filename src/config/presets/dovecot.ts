import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix, TS_SYSLOG } from './prefix.ts'

/**
 * Dovecot IMAP/POP3 login and auth failures (fail2ban filter.d/dovecot.conf; modes normal and
 * aggressive). Dovecot prints the user name (`user=<…>`, `pam(USER,ADDRESS,…)`) before the
 * address and does not escape `>` or `,` in it, so each regex ends with dovecot's own tail
 * anchored at `$` and takes the last `rip=` / `,ADDRESS`.
 *
 * Line shapes: syslog (`… host dovecot[123]: imap-login: …`, older `dovecot: imap-login: …`),
 * dovecot's own log_path file (`Nov 23 14:09:01 imap-login: Info: …`, no host), journal MESSAGE.
 */
const SYSLOG = syslogPrefix(String.raw`dovecot(?:-auth)?|auth`)
// dovecot's own log file: a timestamp and no host
const OWN_FILE = String.raw`${TS_SYSLOG} `
const P = String.raw`^(?:${SYSLOG.slice(1)}|${OWN_FILE})(?:dovecot: )?(?:auth(?:-worker)?(?:\(\d+\))?: |(?:pop3|imap|submission|managesieve)-login: )?(?:Info: )?`
// `rip=ADDRESS, lip=ADDRESS` then dovecot's flags (`TLS`, `session=<…>`, `mpid=…`), all comma-separated
const RIP_TAIL = String.raw`rip=<ip>, lip=[0-9A-Fa-f:.]+(?:, [^,]*)*$`
const LOGIN_END = String.raw`(?:Aborted login|Disconnected|Login aborted)(?:: [^(]*)? \(`

const NORMAL: string[] = [
  // imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<bob>, method=PLAIN, rip=203.0.113.7, lip=192.0.2.1, TLS, session=<Xs7a>
  // imap-login: Login aborted: Connection closed (auth failed, 3 attempts in 12 secs) (auth_failed): user=<bob>, method=PLAIN, rip=…   (2.4)
  String.raw`${P}${LOGIN_END}(?:auth failed, \d+ attempts(?: in \d+ secs)?|tried to use (?:disabled|disallowed) \S+ auth)\)(?: \(\w+\))?: (?:.*, )?${RIP_TAIL}`,
  // auth: pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=bob rhost=203.0.113.7  user=bob
  String.raw`${P}pam_\w+\(dovecot:auth\): +authentication failure; +logname=\S* +uid=\S* +euid=\S* +tty=dovecot +ruser=\S* +rhost=<ip>(?: +user=\S*)?\s*$`,
  // auth-worker(1234): pam(bob,203.0.113.7,<Xs7a>): pam_authenticate() failed: Authentication failure (password mismatch?)
  String.raw`${P}pam\(.*,<ip>(?:,<[^>\s]*>)?\): pam_authenticate\(\) failed: (?:User not known to the underlying authentication module(?:: \d+ Time\(s\))?|Authentication failure \([Pp]assword mismatch\?\)|Permission denied)\s*$`,
  // auth: passwd-file(bob,203.0.113.7,<Xs7a>): unknown user
  // auth: sql(bob,203.0.113.7,<Xs7a>): Password mismatch
  String.raw`${P}[a-z-]{3,15}\(.*,<ip>(?:,<[^>\s]*>)?\): (?:unknown user|invalid credentials|[Pp]assword mismatch)(?: \([^()]*\))?\s*$`
]

const AGGRESSIVE: string[] = [
  // pop3-login: Disconnected (no auth attempts in 0 secs): user=<>, rip=203.0.113.7, lip=192.0.2.1, session=<Xs7a>
  // imap-login: Disconnected (disconnected before auth was ready, waited 0 secs): user=<>, rip=…
  String.raw`${P}${LOGIN_END}(?:no auth attempts|disconnected before auth was ready,|client didn't finish \S+ auth,)(?: (?:in|waited) \d+ secs)?\)(?: \(\w+\))?: (?:.*, )?${RIP_TAIL}`
]

export const dovecot: Preset = {
  name: 'dovecot',
  description: 'Dovecot IMAP/POP3 authentication failures; aggressive adds clients that never try to log in',
  modes: ['normal', 'aggressive'],
  defaultMode: 'normal',
  source: { file: '/var/log/mail.log', journal: ['_SYSTEMD_UNIT=dovecot.service'] },
  filters (mode: string): PresetFilter[] {
    return [{
      name: 'dovecot',
      regex: mode === 'aggressive' ? [...NORMAL, ...AGGRESSIVE] : NORMAL,
      retry: 5,
      retryperiod: '10m',
      ban: '1h'
    }]
  }
}

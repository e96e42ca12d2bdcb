import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'
import { pamUnixFailure } from './mail-common.ts'

/**
 * vsftpd login failures (fail2ban filter.d/vsftpd.conf). vsftpd's own log (logging.c
 * vsf_log_do_log_vsftpd_format()) reads `DATE [pid N] [USER] FAIL LOGIN: Client "ADDR"`, and for
 * anonymous logins `, anon password "…"` after it. Both the user name (before) and the anonymous
 * password (after) are the client's, so: the user field may hold no `]` and, except for
 * `anonymous`/`ftp`, nothing may follow the address. With PAM, pam_unix writes its own line
 * (tty=ftp) to the auth log: that writer counts in its own filter, `vsftpd-pam`.
 */
const SYSLOG = syslogPrefix('vsftpd')
// ctime(3) as vsftpd writes it: `Sun Nov 23 14:09:01 2026`
const OWN = String.raw`[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} `
const P = String.raw`^(?:${SYSLOG.slice(1)}|${OWN})(?:\[pid \d+\] )?`

const LOGIN: string[] = [
  // Sun Nov 23 14:09:01 2026 [pid 2412] [bob] FAIL LOGIN: Client "203.0.113.7"
  String.raw`${P}\[[^\]]*\] FAIL LOGIN: Client "<ip>"\s*$`,
  // Sun Nov 23 14:09:01 2026 [pid 2412] [ftp] FAIL LOGIN: Client "203.0.113.7", anon password "x@y"
  String.raw`${P}\[(?:anonymous|ftp)\] FAIL LOGIN: Client "<ip>", anon password ".*"\s*$`
]

// vsftpd: pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp ruser=bob rhost=203.0.113.7  user=bob
const PAM = String.raw`${SYSLOG}${pamUnixFailure('vsftpd', '(?:ftp)?')}`

export const vsftpd: Preset = {
  name: 'vsftpd',
  description: 'vsftpd login failures from its own log and from PAM, each writer in its own filter',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['vsftpd'],
  forms: 'vsftpd.log "[pid N] [user] FAIL LOGIN: Client", syslog, pam_unix(vsftpd:auth)',
  source: { file: '/var/log/vsftpd.log', journal: ['_SYSTEMD_UNIT=vsftpd.service'] },
  filters (): PresetFilter[] {
    return [
      { name: 'vsftpd', regex: LOGIN, retry: 5, retryperiod: '10m', ban: '1h' },
      { name: 'vsftpd-pam', regex: [PAM], retry: 5, retryperiod: '10m', ban: '1h' }
    ]
  }
}

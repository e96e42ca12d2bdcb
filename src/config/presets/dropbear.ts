import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix, TS_3164 } from './prefix.ts'

/**
 * Dropbear SSH server (fail2ban's filter.d/dropbear.conf; one mode). Dropbear logs to syslog as
 * `dropbear[PID]` (OpenWrt: through logd, read with logread), or with -E to stderr as
 * `[PID] Mmm dd hh:mm:ss MESSAGE`. Its address string is `ADDR:PORT` (svr-session.c
 * svr_ses.addrstring), IPv6 unbracketed.
 *
 * Which address: the quoted user name is the client's text and comes before the address, so the
 * regexes take the LAST `from ADDR:PORT` and require the end of the line after it; the newer
 * `Exit before auth from <ADDR:PORT>:` line has the address first, right after fixed text.
 * `Max auth tries reached` follows the last `Bad password attempt` of a connection and counts
 * too (as in fail2ban): with the default MaxAuthTries of 10, retry is reached before it matters.
 */
const P = syslogPrefix('dropbear') + String.raw`(?:\[\d+\] ${TS_3164} )?`

const NORMAL: string[] = [
  // svr-authpasswd.c svr_auth_password(): "Bad password attempt for '%s' from %s"
  // svr-authpam.c svr_auth_pam(): "Bad PAM password attempt for '%s' from %s"
  String.raw`${P}[Bb]ad (?:PAM )?password attempt for '.*' from <ip>(?::\d+)?\s*$`,
  // svr-auth.c checkusername(): "Login attempt for nonexistent user from %s" (older: "login attempt for nonexistent user '%s' from %s")
  String.raw`${P}[Ll]ogin attempt for nonexistent user (?:'.*' )?from <ip>:\d+\s*$`,
  // svr-auth.c send_msg_userauth_failure() (< 2016): dropbear_exit("Max auth tries reached - user '%s' from %s")
  // through svr-session.c svr_dropbear_exit(): "exit before auth (user '%s', %u fails): %s"
  String.raw`${P}[Ee]xit before auth \(user '.*', \d+ fails\): Max auth tries reached - user '.*' from <ip>:\d+\s*$`,
  // newer svr_dropbear_exit(): "Exit before auth from <%s>: (user '%s', %u fails): %s" with "Max auth tries reached - user '%s'"
  String.raw`${P}[Ee]xit before auth from <<ip>:\d+>: \(user '.*', \d+ fails\): Max auth tries reached - user '.*'\s*$`
]

export const dropbear: Preset = {
  name: 'dropbear',
  description: 'Dropbear SSH authentication failures (fail2ban dropbear): bad passwords, unknown users, max auth tries',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['dropbear'],
  forms: 'Dropbear 0.5x to 2024.x, syslog (Debian, busybox, OpenWrt logread), -E stderr, journal',
  source: {
    file: '/var/log/auth.log',
    // trusted fields only (a local user can write SYSLOG_IDENTIFIER=dropbear)
    journal: ['_SYSTEMD_UNIT=dropbear.service', '+', '_COMM=dropbear', '_UID=0']
  },
  filters (_mode: string): PresetFilter[] {
    return [{ name: 'dropbear', regex: NORMAL, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

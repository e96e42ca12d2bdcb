import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * Authentication failures that pam_unix logs for any PAM-using service (fail2ban's
 * filter.d/pam-generic.conf; one mode). Linux-PAM modules/pam_unix/support.c
 * _unix_verify_password():
 *   "authentication failure; logname=%s uid=%d euid=%d tty=%s ruser=%s rhost=%s %s%s"
 * with " user=NAME" at the end when the user is known. Only lines with a numeric rhost count
 * (a local `su` or `sudo` has none).
 *
 * Which address: pam_unix writes rhost right after ruser, and the attempted user name (the
 * client's text) after it. The regex takes the rhost that follows a one-token ruser (the
 * application's, empty for sshd and most daemons) and lets anything follow as the user name:
 * a user name carrying ` rhost=ADDR` cannot move the address, and a ruser with spaces does not match.
 * Services that also log their own failure line (sshd's `Failed password`) are counted once per
 * attempt by their own preset; this one is for the others, or for one jail over all of PAM.
 */
const P = syslogPrefix(String.raw`[^\s\[\]():]+`)
/** Linux-PAM < 0.99 logged as `service(pam_unix)[pid]:` */
const OLD = syslogPrefix(String.raw`[^\s\[\]():]+\(pam_unix\)`)
const FIELDS = String.raw`authentication failure;(?:\s+(?:logname|e?uid)=\S*){0,3} tty=\S* ruser=\S* rhost=<ip>(?:\s+user=.*)?\s*$`

const NORMAL: string[] = [
  // sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7  user=root
  // vsftpd[1]: pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp ruser=bob rhost=203.0.113.7  user=bob
  String.raw`${P}\(?pam_unix(?:\([^\s()]+\))?\)?:?\s+${FIELDS}`,
  // sshd(pam_unix)[4246]: authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7  user=root
  String.raw`${OLD}${FIELDS}`
]

export const pamGeneric: Preset = {
  name: 'pam-generic',
  description: 'pam_unix authentication failures of any service with a remote host (fail2ban pam-generic)',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['pam-generic'],
  forms: 'Linux-PAM pam_unix, syslog or journal, any service',
  source: {
    file: '/var/log/auth.log',
    // pam_syslog logs to LOG_AUTHPRIV from the service's process: root's (a user's own process
    // can set any facility, not _UID=0)
    journal: ['SYSLOG_FACILITY=10', '_UID=0']
  },
  filters (_mode: string): PresetFilter[] {
    return [{ name: 'pam-generic', regex: NORMAL, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

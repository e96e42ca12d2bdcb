/**
 * Pieces shared by the mail and FTP presets, as regex source text.
 */

/**
 * Linux-PAM pam_unix's own failure line (modules/pam_unix/support.c, `_unix_verify_password`):
 * `authentication failure; logname=%s uid=%d euid=%d tty=%s ruser=%s rhost=%s  user=%s`, behind
 * `pam_unix(SERVICE:auth): ` (older PAM: `(pam_unix) `). `tty` is the service's own tag, so one
 * service's filter never counts another's. ruser/user are the name the client sent: `\S*` keeps a
 * name with spaces (`x rhost=198.51.100.9`) from reaching `rhost=`, which PAM writes after it.
 */
export function pamUnixFailure (service: string, tty: string): string {
  const tag = String.raw`(?:pam_\w+\(${service}:auth\): +|\(pam_\w+\) +|pam_\w+: +)?`
  return String.raw`${tag}authentication failure; +logname=\S* +uid=\S* +euid=\S* +tty=${tty} +ruser=\S* +rhost=<ip>(?: +user=\S*)?\s*$`
}

/** multilog / svlogd -t (daemontools, runit, s6): `@` and 24 hex digits of TAI64N, then a space */
export const TAI64N = String.raw`@[0-9a-f]{24} `

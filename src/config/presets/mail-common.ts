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

/**
 * Exim's main log line start (src/exim/src/log.c log_write()): `2026-11-23 14:09:01`, `.123` with
 * log_selector +millisec, ` +0100` with log_timezone, `[PID] ` with +pid, then a message id when
 * the line concerns one (`1rAbcD-000Abc-Xy`, 4.97's longer `1rAbcD-00000000Ab-CdEf`). Through
 * syslog (log_file_path = syslog) the same text follows `exim[PID]: `.
 */
export const EXIM_START = String.raw`(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{3})?(?: [+-]\d{4})? )?(?:\[\d+(?:\/\d+)?\] )?`
export const EXIM_MSGID = String.raw`[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}`

/**
 * Exim's client (src/exim/src/smtp_in.c host_and_ident(), receive.c add_host_info_for_log()):
 * `H=` (in some messages), the verified host name, `(HELO)` when it differs, `[ADDR]`, `:PORT`,
 * then ` I=[LOCAL]:PORT`, ` U=IDENT`, ` P=PROTO`. The HELO is the client's word, printed only
 * when it holds no space, so `\S*` inside the parentheses cannot reach a forged `[ADDR]` after a
 * space.
 */
export const EXIM_HOST = String.raw`(?:H=)?(?:[\w.-]+ )?(?:\(\S*\) )?\[<ip>\](?::\d+)?(?: I=\[[^\]\s]+\](?::\d+)?)?(?: U=\S+)?(?: P=\S+)?`

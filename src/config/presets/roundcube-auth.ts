import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * Roundcube webmail login failures (fail2ban roundcube-auth).
 *
 * Two of Roundcube's own lines concern a failed login:
 *   errors.log  `IMAP Error: Login failed for USER against HOST from ADDR. MSG (POST URI)`
 *               (program/lib/Roundcube/rcube_imap.php connect() through rcube::raise_error() and
 *               rcube::log_bug(); older versions add ` in FILE on line N` and have no `against HOST`);
 *   userlogins  `Failed login for USER from ADDR in session ID (error: N)` (program/include/rcmail.php
 *               log_login(), only with `log_logins`), for every refused login: N is 0 when the IMAP
 *               server refused, 1 bad request token, 2 invalid host, 3 cookies disabled, 4 rate
 *               limit, and negative for a storage error on the server side (not counted).
 * Current versions write one of the two for a refused password: rcube_imap.php skips its error
 * when log_logins is on, so mode `normal` counts both forms (and the `FAILED login for USER from
 * ADDR` line of the third-party fail2ban plugin). Older versions wrote both, which with
 * `log_driver = syslog` reach one stream: mode `errors` then counts the IMAP line for a refused
 * password and the userlogins line only for the refusals the IMAP server never saw (N >= 1).
 *
 * USER (the login form's field, up to 256 bytes) comes before the address, and after it comes
 * client text too (`(X-Forwarded-For: …)` from rcube_utils::remote_ip(), the request URI), so
 * neither "the first" nor "the last" ` from ADDR` is safe alone. The rule: USER is one `\S*`
 * token (an account that can log in has no space), the X-Forwarded-For group is skipped as one
 * parenthesis, and what follows must be Roundcube's own tail, which never contains ` from `: a
 * USER such as `x from 198.51.100.9. y` leaves Roundcube's real ` from ADDR` in that tail and
 * the line is not counted. The X-Forwarded-For value is never read (the client writes it).
 */
// `[23-Nov-2026 14:09:01 +0000]: ` (rcube::write_log(), log_date_format), then `<8-char session> ` (log_session_id)
const P = String.raw`${syslogPrefix('roundcube')}(?:\[[^\]]*\]:? )?(?:<[\w-]+> )?`
// the address, then the X-Forwarded-For / X-Real-IP suffix, skipped as one parenthesis
const XFF = String.raw`(?: ?\([^()]*\))?`

// the rest of the IMAP line is the IMAP server's reply, ` in FILE on line N` and `(METHOD URI)`; no ` from ` in it
const IMAP = String.raw`${P}IMAP Error: Login failed for \S* (?:against \S+ )?from <ip>${XFF}(?!.* from )\.`
function userlogins (codes: string): string {
  return String.raw`${P}Failed login for \S* from <ip>${XFF} in session [\w-]+ \(error: ${codes}\)\s*$`
}

// [roundcube] FAILED login for bob from 203.0.113.7   (the fail2ban plugin for Roundcube, login_failed hook)
const PLUGIN = String.raw`${P}\[roundcube\] FAILED login for \S* from <ip>\s*$`

const NORMAL: string[] = [
  // [23-Nov-2026 14:09:01 +0000]: <a1b2c3d4> IMAP Error: Login failed for bob@example.com against imap.example.com from 203.0.113.7. AUTHENTICATE PLAIN: Authentication failed. (POST /?_task=login&_action=login)
  IMAP,
  // [23-Nov-2026 14:09:01 +0000]: <a1b2c3d4> Failed login for bob from 203.0.113.7 in session a1b2c3d4e5f60718 (error: 0)
  userlogins('\\d+'),
  PLUGIN
]

const ERRORS: string[] = [
  IMAP,
  // Failed login for bob from 203.0.113.7 in session a1b2c3d4e5f60718 (error: 1)
  userlogins('[1-9]\\d*')
]

export const roundcubeAuth: Preset = {
  name: 'roundcube-auth',
  description: 'Roundcube webmail login failures (IMAP refusals in errors.log, userlogins)',
  modes: ['normal', 'errors'],
  defaultMode: 'normal',
  fail2ban: ['roundcube-auth'],
  forms: 'errors.log `IMAP Error: Login failed for … from ADDR`, userlogins `Failed login for … from ADDR … (error: N)`, file or syslog',
  source: { file: '/var/log/roundcube/errors.log', journal: ['SYSLOG_IDENTIFIER=roundcube'] },
  filters (mode: string): PresetFilter[] {
    const regex = mode === 'errors' ? ERRORS : NORMAL
    return [{ name: 'roundcube-auth', regex, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

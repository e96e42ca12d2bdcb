import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * Nextcloud failed logins, brute-force throttler events and trusted-domain errors from its
 * JSON log (nextcloud.log; log_type syslog/systemd/errorlog write the same JSON object).
 *
 * The counted address is the `remoteAddr` key, one of the first keys (lib/private/Log/LogDetails.php
 * writes reqId, level, time, remoteAddr, user, app, method, url, message, userAgent, version),
 * before any client text; JSON escapes `"` inside values, so `,"message":"` with bare quotes
 * can only be a key, never text from a URL or a user name.
 *
 * Counting once: a failed login logs `Login failed: USER (Remote IP: ADDR)` (warning,
 * lib/private/Authentication/Login/LoggedInCheckCommand.php; `Login failed: 'USER' (Remote IP:
 * 'ADDR')` in lib/private/User/Session.php and older versions) and, at loglevel 1 or lower,
 * the throttler's `Bruteforce attempt from "ADDR" detected for action "login".` for the same
 * attempt (lib/private/Security/Bruteforce/Throttler.php registerAttempt()). The `login` action
 * is therefore counted through its `Login failed` line only; every other throttled action
 * (share passwords, 2FA, app tokens, …) logs no warning of its own and counts by the throttler line.
 */
// the keys before remoteAddr: `"reqId":"…","level":2,"time":"…"` (strings or numbers, no nesting)
const KEYS = String.raw`(?:"\w+":(?:"[^"\\]*"|-?\d+),)*`
const P = String.raw`${syslogPrefix('[Nn]extcloud|ownCloud|php')}\{${KEYS}"remoteAddr":"<ip>",`

const REGEX: string[] = [
  // {"reqId":"a1b2","level":2,"time":"2026-11-23T14:09:01+00:00","remoteAddr":"203.0.113.7","user":"--","app":"core","method":"POST","url":"/login","message":"Login failed: bob (Remote IP: 203.0.113.7)",…}
  String.raw`${P}.*,"message":"Login failed: `,
  // {"reqId":"a1b2","level":1,…,"remoteAddr":"203.0.113.7",…,"message":"Bruteforce attempt from \"203.0.113.7\" detected for action \"publicLinkAuth\".",…}
  String.raw`${P}.*,"message":"Bruteforce attempt from \\"[^"\\]*\\" detected for action \\"(?!login\\")`,
  // {"reqId":"a1b2","level":2,…,"remoteAddr":"203.0.113.7",…,"message":"Trusted domain error. \"203.0.113.7\" tried to access using \"x\" as host.",…}
  String.raw`${P}.*,"message":"Trusted domain error\.`
]

export const nextcloud: Preset = {
  name: 'nextcloud',
  description: 'Nextcloud failed logins, brute-force throttler events and trusted-domain errors (JSON nextcloud.log)',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: [],
  forms: 'JSON nextcloud.log (file, syslog or journal): `Login failed:`, `Bruteforce attempt from`, `Trusted domain error`',
  source: { file: '/var/www/nextcloud/data/nextcloud.log', journal: ['SYSLOG_IDENTIFIER=Nextcloud'] },
  filters (): PresetFilter[] {
    return [{ name: 'nextcloud', regex: REGEX, retry: 3, retryperiod: '12h', ban: '24h' }]
  }
}

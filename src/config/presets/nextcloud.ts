import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * Nextcloud failed logins and trusted-domain errors from its JSON log (nextcloud.log), after
 * the filter in Nextcloud's hardening guide. `remoteAddr` is one of the first keys, before any
 * client text (`url`, `userAgent`, `message`); JSON escapes `"` inside values, so `,"message":"`
 * with bare quotes can only be a real key.
 */
// the keys before remoteAddr: `"reqId":"…","level":2,"time":"…"` (strings or numbers, no nesting)
const KEYS = String.raw`(?:"\w+":(?:"[^"\\]*"|-?\d+),)*`
const P = String.raw`${syslogPrefix('[Nn]extcloud|ownCloud|php')}\{${KEYS}"remoteAddr":"<ip>",`

const REGEX: string[] = [
  // {"reqId":"a1b2","level":2,"time":"2026-11-23T14:09:01+00:00","remoteAddr":"203.0.113.7","user":"--","app":"core","method":"POST","url":"/login","message":"Login failed: bob (Remote IP: 203.0.113.7)",…}
  String.raw`${P}.*,"message":"Login failed: `,
  // {"reqId":"a1b2","level":2,…,"remoteAddr":"203.0.113.7",…,"message":"Trusted domain error. \"203.0.113.7\" tried to access using \"x\" as host.",…}
  String.raw`${P}.*,"message":"Trusted domain error\.`
]

export const nextcloud: Preset = {
  name: 'nextcloud',
  description: 'Nextcloud failed logins and trusted-domain errors (JSON nextcloud.log)',
  modes: ['normal'],
  defaultMode: 'normal',
  source: { file: '/var/www/nextcloud/data/nextcloud.log' },
  filters (): PresetFilter[] {
    return [{ name: 'nextcloud', regex: REGEX, retry: 3, retryperiod: '12h', ban: '24h' }]
  }
}

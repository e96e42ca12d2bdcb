import type { Preset, PresetFilter } from './types.ts'

/**
 * Apache httpd authentication / authorisation failures in the error log (fail2ban apache-auth).
 * The `[client ADDRESS:PORT]` field comes before any client text, so the regexes anchor on the
 * line start and only check what kind of message follows.
 *
 * 2.4: `[Mon Nov 23 14:09:01.123456 2026] [auth_basic:error] [pid 1234:tid 5678] [client 203.0.113.7:52144] AH01618: …`
 * 2.2: `[Mon Nov 23 14:09:01 2026] [error] [client 203.0.113.7] user bob not found: /private`
 * 2.4 prints IPv6 clients as `[client 2001:db8::7:52144]`, which is ambiguous (is `52144` the port
 * or the last group?); the built-in `ip` pattern refuses an IPv6 candidate touching a colon, so
 * 2.4 lines from IPv6 clients are not counted. IPv4 clients and 2.2's `[client ADDRESS]` are.
 */
const HEAD_24 = String.raw`^\[[^\]]+\] \[[\w:]*:error\] \[pid \d+(?::tid \d+)?\] (?:\[remote \S+\] )?\[client <ip>:\d+\] (?:AH\d+: )?`
const HEAD_22 = String.raw`^\[[^\]]+\] \[error\] \[client <ip>\] `

const MESSAGES = [
  // client denied by server configuration: /var/www/private
  String.raw`client denied by server configuration`,
  // user bob: authentication failure for "/private": Password Mismatch
  // user bob not found: /private
  // user bob: authorization failure for "/private":
  // Digest: user bob: password mismatch: /private
  // Digest: user `bob' in realm `private' not found: /private
  String.raw`(?:Digest: )?user .*(?:: authentication failure for "| not found|: password mismatch|: authorization failure|' in realm \x60.*' (?:not found|denied by provider))`,
  // client used wrong authentication scheme: /private
  String.raw`client used wrong authentication scheme`,
  // Authorization of user bob to access /private failed, reason: …
  String.raw`Authorization of user \S+ to access \S* failed`,
  // Digest: invalid nonce … received - user attempted time travel / realm mismatch / unknown algorithm / invalid qop
  String.raw`(?:Digest: )?(?:invalid nonce .* received - |realm mismatch - got |unknown algorithm |invalid qop )`,
  // Digest: user bob: nonce expired (…) - sending new nonce / one-time-nonce mismatch - sending new nonce
  String.raw`(?:Digest: )?user .*: (?:nonce expired|one-time-nonce mismatch)`
].join('|')

const REGEX: string[] = [
  `${HEAD_24}(?:${MESSAGES})`,
  `${HEAD_22}(?:${MESSAGES})`
]

export const apacheAuth: Preset = {
  name: 'apache-auth',
  description: 'Apache httpd authentication and access-denied errors (error.log, 2.2 and 2.4 formats)',
  modes: ['normal'],
  defaultMode: 'normal',
  source: { file: '/var/log/apache2/error.log' },
  filters (): PresetFilter[] {
    return [{ name: 'apache-auth', regex: REGEX, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

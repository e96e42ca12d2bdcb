import type { Preset, PresetFilter } from './types.ts'
import { nginxError } from './web-prefix.ts'

/**
 * nginx HTTP authentication failures in error.log (fail2ban nginx-http-auth; its modes: `auth` and
 * `normal` the basic-auth failures, `fallback` the TLS handshakes of fallback/downgrade probes,
 * `aggressive` both).
 *
 * Which `client:` counts: the first one after the message. The only client text before it is the
 * basic-auth user name, and ngx_http_auth_basic_user() (src/http/ngx_http_core_module.c) cuts the
 * decoded credentials at the first `:`, so a user name can never contain `client: ADDR`. Hence
 * `[^:]*` for it: the regex cannot reach past the first colon, wherever a forged tail sits in the
 * request line, Host or Referer nginx prints after the genuine address.
 */
const USER = String.raw`[^:]*`

const AUTH: string[] = [
  // src/http/modules/ngx_http_auth_basic_module.c ngx_http_auth_basic_crypt_handler():
  //   "user \"%V\": password mismatch" ; ngx_http_auth_basic_handler(): "user \"%V\" was not found in \"%s\""
  // 2026/11/23 14:09:01 [error] 1234#1234: *5 user "bob": password mismatch, client: 203.0.113.7, server: example.com, request: "GET /private HTTP/1.1", host: "example.com"
  // web applications behind nginx use the same words without the colon (`user "bob" password mismatch`)
  String.raw`${nginxError('error')}user "${USER}"(?::? password mismatch| was not found in "[^"]*"), client: <ip>, server: `,
  // ngx_http_auth_pam_module.c: "PAM: user '%s' - not authenticated: %s" (pam_strerror text)
  // 2026/11/23 14:09:01 [error] 1234#1234: *7 PAM: user 'bob' - not authenticated: Authentication failure, client: 203.0.113.7, server: …
  String.raw`${nginxError('error')}PAM: user '${USER}' - not authenticated: [^:]*?, client: <ip>, server: `
]

const FALLBACK: string[] = [
  // src/event/ngx_event_openssl.c ngx_ssl_handshake(): "SSL_do_handshake() failed" + OpenSSL's
  // reason; a connection-level line (no request yet), so the tail is `, server: LISTEN_ADDR`.
  // 2026/11/23 14:09:01 [crit] 1234#1234: *9 SSL_do_handshake() failed (SSL: error:1408F0C6:SSL routines:ssl3_get_record:packet length too long) while SSL handshaking, client: 203.0.113.7, server: 0.0.0.0:443
  String.raw`${nginxError('crit')}SSL_do_handshake\(\) failed \(SSL: error:[^()]*? too (?:long|short)\)(?: while [A-Za-z ]+)?, client: <ip>, server: \S+\s*$`
]

const REGEX: Record<string, string[]> = {
  normal: AUTH,
  auth: AUTH,
  fallback: FALLBACK,
  aggressive: [...AUTH, ...FALLBACK]
}

export const nginxHttpAuth: Preset = {
  name: 'nginx-http-auth',
  description: 'nginx HTTP basic authentication failures (error.log: password mismatch, unknown user, PAM); TLS fallback probes',
  modes: ['normal', 'auth', 'fallback', 'aggressive'],
  defaultMode: 'normal',
  fail2ban: ['nginx-http-auth'],
  forms: 'nginx error.log, file or syslog/journal (nginx[pid]: prefix); auth_basic and auth_pam messages',
  source: { file: '/var/log/nginx/error.log', journal: ['_SYSTEMD_UNIT=nginx.service'] },
  filters (mode: string): PresetFilter[] {
    return [{ name: 'nginx-http-auth', regex: REGEX[mode] ?? AUTH, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

import type { Preset, PresetFilter } from './types.ts'
import { NGINX_ERROR, NGINX_TAIL } from './web-prefix.ts'

/**
 * nginx basic-auth failures in error.log (fail2ban nginx-http-auth). The user name sits before
 * `client:` and nginx prints it unescaped, so a name can carry a forged
 * `", client: 198.51.100.9, server: …` — the `$`-anchored NGINX_TAIL makes the regex take the
 * last `client:`, the one nginx wrote.
 */
const REGEX: string[] = [
  // 2026/11/23 14:09:01 [error] 1234#1234: *5 user "bob": password mismatch, client: 203.0.113.7, server: example.com, request: "GET /private HTTP/1.1", host: "example.com"
  // 2026/11/23 14:09:01 [error] 1234#1234: *6 user "eve" was not found in "/etc/nginx/.htpasswd", client: 203.0.113.7, server: …
  `${NGINX_ERROR}user ".*"(?::? password mismatch| was not found in "[^"]*"), client: <ip>${NGINX_TAIL}`
]

export const nginxHttpAuth: Preset = {
  name: 'nginx-http-auth',
  description: 'nginx HTTP basic authentication failures (error.log: password mismatch, unknown user)',
  modes: ['normal'],
  defaultMode: 'normal',
  source: { file: '/var/log/nginx/error.log' },
  filters (): PresetFilter[] {
    return [{ name: 'nginx-http-auth', regex: REGEX, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

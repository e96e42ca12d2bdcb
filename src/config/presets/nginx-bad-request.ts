import type { Preset, PresetFilter } from './types.ts'
import { ACCESS_REQUEST, accessHead } from './web-prefix.ts'

/**
 * Requests nginx could not parse, answered 400 (fail2ban nginx-bad-request): TLS spoken to a
 * plain-HTTP port, binary garbage, empty requests. These come from scanners, not browsers. The
 * address is the access line's first field; the request field is escaped by nginx (`\x16\x03…`),
 * so it is one quoted run.
 */
const REGEX: string[] = [
  // src/http/modules/ngx_http_log_module.c, `combined`: '$remote_addr - $remote_user [$time_local] "$request" $status …'
  // 203.0.113.7 - - [23/Nov/2026:14:09:01 +0000] "\x16\x03\x01\x00\xF7\x01" 400 157 "-" "-"
  String.raw`${accessHead('nginx')}${ACCESS_REQUEST}" 400 `
]

export const nginxBadRequest: Preset = {
  name: 'nginx-bad-request',
  description: 'requests nginx answered 400 Bad Request (access.log): garbage, TLS on the HTTP port, empty requests',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['nginx-bad-request'],
  forms: 'nginx access.log (combined or common), file or syslog',
  source: { file: '/var/log/nginx/access.log', journal: ['_SYSTEMD_UNIT=nginx.service'] },
  filters (): PresetFilter[] {
    return [{ name: 'nginx-bad-request', regex: REGEX, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

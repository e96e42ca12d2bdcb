import type { Preset, PresetFilter } from './types.ts'
import { nginxError } from './web-prefix.ts'

/**
 * Requests refused by the admin's own `deny` rules (fail2ban nginx-forbidden): clients that keep
 * asking for what the server was told to forbid (`location ~ /\. { deny all; }`). The message is
 * nginx's fixed text, so the first `client:` is nginx's; the request, Host and Referer after it
 * are not looked at.
 */
const REGEX: string[] = [
  // src/http/modules/ngx_http_access_module.c ngx_http_access_found(): "access forbidden by rule"
  // 2026/11/23 14:09:01 [error] 1234#1234: *9134 access forbidden by rule, client: 203.0.113.7, server: example.net, request: "GET /.user.ini HTTP/1.1", host: "example.net"
  String.raw`${nginxError('error')}access forbidden by rule, client: <ip>, server: `
]

export const nginxForbidden: Preset = {
  name: 'nginx-forbidden',
  description: 'requests refused by nginx allow/deny rules (error.log: access forbidden by rule)',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['nginx-forbidden'],
  forms: 'nginx error.log, file or syslog/journal; ngx_http_access_module denials',
  source: { file: '/var/log/nginx/error.log', journal: ['_SYSTEMD_UNIT=nginx.service'] },
  filters (): PresetFilter[] {
    return [{ name: 'nginx-forbidden', regex: REGEX, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

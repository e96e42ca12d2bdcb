import type { Preset, PresetFilter } from './types.ts'
import { NGINX_ERROR } from './web-prefix.ts'

/**
 * Clients refused by nginx's limit_req / limit_conn (fail2ban nginx-limit-req). Everything before
 * `client:` is nginx's own text (the zone name comes from the admin), so the address position is
 * fixed and the rest of the line (request, Host, Referer: client-controlled, and possibly holding a
 * forged `, client: `) is not looked at: the first `client:` is nginx's.
 */
const REGEX: string[] = [
  // 2026/11/23 14:09:01 [error] 1234#1234: *99 limiting requests, excess: 10.520 by zone "one", client: 203.0.113.7, server: example.com, request: "GET / HTTP/1.1", host: "example.com"
  // 2026/11/23 14:09:01 [warn] 1234#1234: *99 delaying request, excess: 0.500, by zone "one", client: 203.0.113.7, …
  `${NGINX_ERROR}(?:limiting|delaying) requests?, excess: [\\d.]+,? by zone "[^"]*", client: <ip>,`,
  // 2026/11/23 14:09:01 [error] 1234#1234: *99 limiting connections by zone "addr", client: 203.0.113.7, …
  `${NGINX_ERROR}limiting connections by zone "[^"]*", client: <ip>,`
]

export const nginxLimitReq: Preset = {
  name: 'nginx-limit-req',
  description: 'requests refused by nginx limit_req / limit_conn (error.log)',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['nginx-limit-req'],
  forms: 'nginx error.log, file or syslog/journal; limit_req (limiting/delaying requests) and limit_conn',
  source: { file: '/var/log/nginx/error.log', journal: ['_SYSTEMD_UNIT=nginx.service'] },
  filters (): PresetFilter[] {
    return [{ name: 'nginx-limit-req', regex: REGEX, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

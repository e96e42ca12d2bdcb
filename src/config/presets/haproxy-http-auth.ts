import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * HAProxy answering 401 itself (`http-request auth`), fail2ban haproxy-http-auth. HAProxy's HTTP log
 * format (doc/configuration.txt, "HTTP log format"):
 *   haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in http-in/<NOSRV> 0/-1/-1/-1/0 401 248 - - PR-- 1/1/0/0/0 0/0 "GET /admin HTTP/1.1"
 * `<NOSRV>`: no server was chosen, HAProxy answered; the timers are TR/Tw/Tc/Tr/Ta (1.9+) or
 * Tq/Tw/Tc/Tr/Tt (older, Tq -1), Tw Tc Tr -1 since no server was reached, Ta/Tt possibly `+N`.
 * The address (`%ci:%cp`, IPv6 unbracketed) is the message's first field, before the frontend and
 * backend names (the admin's) and before anything the client sent (captured headers, request line).
 * As fail2ban says: a browser's first request to an auth-protected site is a 401 as well, so keep
 * retry above a handful.
 * `\x3c` is `<`: written so, `<NOSRV>` is not read as a pattern placeholder.
 */
const REGEX: string[] = [
  String.raw`${syslogPrefix('haproxy')}<ip>:\d{1,5} \[[^\]\s]+\] \S+ \S+/\x3cNOSRV> -?\d+/-1/-1/-1/\+?\d+ 401 `
]

export const haproxyHttpAuth: Preset = {
  name: 'haproxy-http-auth',
  description: 'HTTP basic-auth refusals answered by HAProxy itself (401 with <NOSRV>, HTTP log format)',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['haproxy-http-auth'],
  forms: 'HAProxy HTTP log format through syslog or the journal (haproxy[pid]:), IPv4 and IPv6',
  source: { file: '/var/log/haproxy.log', journal: ['_SYSTEMD_UNIT=haproxy.service'] },
  filters (): PresetFilter[] {
    return [{ name: 'haproxy-http-auth', regex: REGEX, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

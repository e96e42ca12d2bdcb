import type { Preset, PresetFilter } from './types.ts'
import { CLF_TIME } from './web-prefix.ts'

/**
 * Traefik basic-auth failures (HTTP 401) from its access log (fail2ban traefik-auth; modes
 * normal: a user name was sent, ddos: no user name, aggressive: both). Common Log Format starts
 * with the address; the JSON format's keys are sorted (Go maps), so `ClientHost` comes before
 * every client-controlled field.
 */
function clf (user: string): string {
  // 203.0.113.7 - bob [23/Nov/2026:14:09:01 +0000] "GET /dashboard HTTP/2.0" 401 17 "-" "curl/8.5.0" 42 "dashboard@docker" "-" 0ms
  return String.raw`^<ip> - ${user} ${CLF_TIME} "[A-Z]+ \S+ [^"\s]+" 401 `
}

function json (user: string): string {
  // {"ClientAddr":"203.0.113.7:52144","ClientHost":"203.0.113.7","ClientPort":"52144","ClientUsername":"bob","DownstreamContentSize":17,"DownstreamStatus":401,…}
  return String.raw`^\{"ClientAddr":"[^"]*","ClientHost":"<ip>",(?:"ClientPort":"\d*",)?"ClientUsername":${user},(?:"[A-Za-z]+":(?:"[^"\\]*"|-?\d+),)*"DownstreamStatus":401[,}]`
}

const USER = { normal: String.raw`(?!- )\S+`, ddos: '-', aggressive: String.raw`\S+` }
// a JSON user name, escapes allowed: `"bob"`; `"-"` is traefik's "no user"
const JUSER = { normal: String.raw`"(?!-")(?:[^"\\]|\\.)*"`, ddos: '"-"', aggressive: String.raw`"(?:[^"\\]|\\.)*"` }

export const traefikAuth: Preset = {
  name: 'traefik-auth',
  description: 'Traefik basic-auth failures (401) from the access log, CLF or JSON',
  modes: ['normal', 'ddos', 'aggressive'],
  defaultMode: 'normal',
  fail2ban: ['traefik-auth'],
  forms: 'access log, Common Log Format or JSON (`ClientHost` … `DownstreamStatus":401`)',
  source: { file: '/var/log/traefik/access.log', journal: ['_SYSTEMD_UNIT=traefik.service'] },
  filters (mode: string): PresetFilter[] {
    const m = mode === 'ddos' || mode === 'aggressive' ? mode : 'normal'
    return [{ name: 'traefik-auth', regex: [clf(USER[m]), json(JUSER[m])], retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

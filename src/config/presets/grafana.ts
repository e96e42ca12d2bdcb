import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * Grafana failed logins (fail2ban grafana), from grafana.log or the journal, logfmt lines
 * (`t=… level=… msg="…" key=value …`; before 8.3 `t=… lvl=eror msg=…`).
 *
 * A failed login writes two lines: the error response `msg="Invalid username or password"
 * error="…" remote_addr=ADDR` (pkg/api/response NormalResponse.WriteTo(), logging the error of
 * LoginPost()), then the request logger's `msg="Request Completed" method=POST path=/login
 * status=401 remote_addr=ADDR …` (pkg/middleware/loggermw, every status but 200 and 304). Each
 * mode counts one of them, so an attempt counts once: `normal` (fail2ban's) the first, `requests`
 * the second, which every version writes, also those whose new authentication service no
 * longer logs the first with an address.
 *
 * The line is read key by key from its start (`key=value` or `key="escaped"`): `remote_addr=`
 * counts only as a key of its own, never inside a quoted value such as a path or an error text
 * a client chose.
 */
const P = syslogPrefix('grafana(?:-server)?')
const VALUE = String.raw`(?:"(?:[^"\\]|\\.)*"|[^\s"]*)`
const PAIRS = String.raw`(?:[\w.-]+=${VALUE} )*`
const END = '(?= |$)'

const NORMAL: string[] = [
  // logger=context userId=0 orgId=0 uname= t=2026-11-23T14:09:01.123Z level=error msg="Invalid username or password" error="invalid username or password" remote_addr=203.0.113.7 traceID=
  // t=2020-10-19T17:44:33+0200 lvl=eror msg="Invalid username or password" logger=context userId=0 orgId=0 uname= error="Invalid Username or Password" remote_addr=203.0.113.7
  String.raw`${P}${PAIRS}msg="Invalid username or password" ${PAIRS}remote_addr=<ip>${END}`
]

const REQUESTS: string[] = [
  // logger=context userId=0 orgId=0 uname= t=2026-11-23T14:09:01.123Z level=info msg="Request Completed" method=POST path=/login status=401 remote_addr=203.0.113.7 time_ms=93 duration=93.1ms size=42 referer= handler=/login status_source=server
  String.raw`${P}${PAIRS}msg="Request Completed" method=POST path=(?:/[\w.-]+)*/login status=401 remote_addr=<ip>${END}`
]

export const grafana: Preset = {
  name: 'grafana',
  description: 'Grafana failed logins (grafana.log, logfmt)',
  modes: ['normal', 'requests'],
  defaultMode: 'normal',
  fail2ban: ['grafana'],
  forms: 'grafana.log or journal logfmt: `msg="Invalid username or password" … remote_addr=ADDR`; mode requests: `Request Completed` POST /login 401',
  source: { file: '/var/log/grafana/grafana.log', journal: ['_SYSTEMD_UNIT=grafana-server.service'] },
  filters (mode: string): PresetFilter[] {
    return [{ name: 'grafana', regex: mode === 'requests' ? REQUESTS : NORMAL, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

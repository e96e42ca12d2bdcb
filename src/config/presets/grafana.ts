import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * Grafana failed logins (fail2ban grafana), from grafana.log or the journal, logfmt lines
 * (`t=… level=… msg="…" key=value …`; before 8.3 `t=… lvl=eror msg=…`).
 *
 * Up to Grafana 9 a failed login writes two lines: the error response `msg="Invalid username
 * or password" error="…" remote_addr=ADDR` (pkg/api/response NormalResponse.WriteTo(), logging
 * the plain error LoginPost() returned), then the request logger's `msg="Request Completed"
 * method=POST path=/login status=401 remote_addr=ADDR …` (pkg/middleware/loggermw, every status
 * but 200 and 304). Since the authentication service (Grafana 10), LoginPost() returns an
 * errutil error instead: no error line, and the request line carries it as
 * `errorReason=… errorMessageID=… error=…` (`errReason=` in some versions; loggermw errorLogParams()).
 * Mode `normal` counts the error line and the request line only when it carries such a reason,
 * so each version's attempt counts once; mode `requests` counts every request line of a refused
 * POST /login (one per attempt in every version) and never the error line.
 *
 * The line is read key by key from its start (`key=value` or `key="escaped"`): `remote_addr=`
 * counts only as a key of its own, never inside a quoted value such as a path or an error text
 * a client chose.
 */
const P = syslogPrefix('grafana(?:-server)?')
const VALUE = String.raw`(?:"(?:[^"\\]|\\.)*"|[^\s"]*)`
const PAIRS = String.raw`(?:[\w.-]+=${VALUE} )*`
const END = '(?= |$)'

// the request line of a refused login, with the key/value pairs after the address
function requestCompleted (more: string): string {
  return String.raw`${P}${PAIRS}msg="Request Completed" method=POST path=(?:/[\w.-]+)*/login status=401 remote_addr=<ip>${more}`
}

const NORMAL: string[] = [
  // logger=context userId=0 orgId=0 uname= t=2026-11-23T14:09:01.123Z level=error msg="Invalid username or password" error="invalid username or password" remote_addr=203.0.113.7 traceID=
  // t=2020-10-19T17:44:33+0200 lvl=eror msg="Invalid username or password" logger=context userId=0 orgId=0 uname= error="Invalid Username or Password" remote_addr=203.0.113.7
  String.raw`${P}${PAIRS}msg="Invalid username or password" ${PAIRS}remote_addr=<ip>${END}`,
  // … msg="Request Completed" method=POST path=/login status=401 remote_addr=203.0.113.7 time_ms=3 duration=3.2ms size=98 referer= handler=/login status_source=server errorReason=Unauthorized errorMessageID=password-auth.failed error="failed to authenticate identity: [identity.not-found] no user found"
  requestCompleted(String.raw`(?: [\w.-]+=${VALUE})* err(?:or)?Reason=`)
]

const REQUESTS: string[] = [
  // logger=context userId=0 orgId=0 uname= t=2026-11-23T14:09:01.123Z level=info msg="Request Completed" method=POST path=/login status=401 remote_addr=203.0.113.7 time_ms=93 duration=93.1ms size=42 referer= handler=/login status_source=server
  requestCompleted(END)
]

export const grafana: Preset = {
  name: 'grafana',
  description: 'Grafana failed logins (grafana.log, logfmt)',
  modes: ['normal', 'requests'],
  defaultMode: 'normal',
  fail2ban: ['grafana'],
  forms: 'grafana.log or journal logfmt: `msg="Invalid username or password" … remote_addr=ADDR` (up to 9), `Request Completed` POST /login 401 with an error reason (10 and later); mode requests: every such request line',
  source: { file: '/var/log/grafana/grafana.log', journal: ['_SYSTEMD_UNIT=grafana-server.service'] },
  filters (mode: string): PresetFilter[] {
    return [{ name: 'grafana', regex: mode === 'requests' ? REQUESTS : NORMAL, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

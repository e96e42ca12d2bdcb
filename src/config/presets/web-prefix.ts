/**
 * Line shapes shared by the web-server presets (nginx, Apache, HAProxy, Traefik), as regex source text.
 *
 * Who writes what, and so where a regex may anchor:
 * - nginx error.log: `DATE [level] PID#TID: *CONN MESSAGE, client: ADDR, server: NAME, request: "LINE",
 *   host: "HOST", referrer: "REFERER"` (src/core/ngx_log.c ngx_log_error_core, then the tail of
 *   src/http/ngx_http_request.c ngx_http_log_error / ngx_http_log_error_handler). The request line,
 *   Host and Referer are the client's bytes, printed raw: a Referer may hold a whole forged tail.
 *   So the presets take the FIRST `, client: ` after a message whose text before it cannot hold one
 *   (basic-auth user names cannot contain `:`), and where the message itself carries client text
 *   (a decoded path) they refuse a line holding a second `, client: ` (NGINX_ONLY_CLIENT).
 * - Access logs (nginx `combined`, Apache `%h %l %u %t "%r" …`, Traefik CLF): the address is the
 *   first field of the line and the request, user, Referer and User-Agent come after it, escaped.
 * - Apache error.log: the `[client ADDR:PORT]` field comes before the message (server/log.c
 *   do_errorlog_default) and the message is escaped (ap_escape_errorlog_item), so the field right
 *   after the fixed head is the address.
 *
 * Known limit, not fixable by a regex: nginx writes decoded URIs raw into error.log messages (an
 * `open() "/var/www/%0A…" failed` line), so a `%0A` in a request path starts a new physical line
 * whose whole content the client chose. Such a middle line is byte for byte a genuine one. Shipping
 * error.log through rsyslog (`error_log syslog:server=…`; rsyslog escapes control characters as
 * `#012` by default) keeps one message on one line; the journal does not help, since the journal
 * source hands each line of a multi-line MESSAGE to the filters (src/detect/journal.ts).
 */
import { syslogPrefix } from './prefix.ts'

/** `2026/11/23 14:09:01` as ngx_times.c caches it for error logs (or an ISO date a log shipper wrote instead) */
const NGINX_DATE = String.raw`\d{4}[/-]\d\d[/-]\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?`

/**
 * nginx's error.log prefix up to the message: `2026/11/23 14:09:01 [error] 1234#1234: *56 `
 * (the `*N` is absent on lines not tied to a connection). Syslog-shipped nginx lines
 * (`error_log syslog:server=…`, or stderr caught by journald) put `host nginx[pid]: ` in front.
 * `level` is regex source for the level word(s).
 */
export function nginxError (level = '[a-z]+'): string {
  return String.raw`${syslogPrefix('nginx(?:-debug)?')}(?:${NGINX_DATE} )?\[(?:${level})\] \d+#\d+: (?:\*\d+ )?`
}

/** any level */
export const NGINX_ERROR = nginxError()

/**
 * After the `, client: ADDR, server: ` nginx wrote: refuses the line when a second `, client: `
 * follows. Needed where the message before the address holds client text (a decoded path): there
 * a path can close its quote and forge `" failed (…), client: ADDR, server: …`, which is then
 * followed by the genuine `, client:`; and a Referer can forge a tail after the genuine one. Either
 * way two candidates remain and nothing in the line tells them apart, so the line is not counted.
 */
export const NGINX_ONLY_CLIENT = String.raw`(?!.*, client: )`

/** Common Log Format timestamp in brackets: `[23/Nov/2026:14:09:01 +0000]` */
export const CLF_TIME = String.raw`\[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]`

/**
 * Start of an access-log line up to the opening quote of the request: `ADDR IDENT USER [TIME] "`.
 * The address is the line's first field; IDENT is `-`; USER (`$remote_user`, `%u`) is the client's
 * basic-auth name and may hold spaces, so it is skipped lazily up to the first timestamp. Whatever
 * the client writes later can only change whether its own line counts, never whose address.
 * `prog` names the syslog tag when access logs go through syslog.
 */
export function accessHead (prog: string): string {
  return String.raw`${syslogPrefix(prog)}<ip> \S+ .*? ${CLF_TIME} "`
}

/** the request field of an access log, escaped by the server: `GET /x HTTP/1.1` or garbage */
export const ACCESS_REQUEST = String.raw`(?:[^"\\]|\\.)*`

/**
 * Apache httpd error.log head up to the message, for both formats server/log.c writes:
 *   2.4: `[Mon Nov 23 14:09:01.123456 2026] [auth_basic:error] [pid 1:tid 2] [client 203.0.113.7:52144] `
 *   2.2: `[Mon Nov 23 14:09:01 2026] [error] [client 203.0.113.7] `
 * With `ErrorLog syslog` the date is left out and syslog's `host apache2[pid]: ` comes first; httpd
 * under systemd writing to stderr gives the same line through the journal.
 * 2.4 always prints `ADDR:PORT` (log.c `"[client %s:%d] "`, also for IPv6, without brackets), so
 * the port is required there and the address is what precedes the last colon; 2.2 prints no port.
 * 2.4 says `[remote …]` instead of `[client …]` when the connection has no scoreboard handle
 * (HTTP/2 secondary connections); mod_remoteip set-ups may print the peer as `[remote …]` first.
 * Between pid (absent from some ErrorLogFormat set-ups) and address: the source position at debug
 * level and an APR status `(13)Permission denied: `.
 * `module` filters on the `[module:level]` word (regex source); 2.2 lines carry no module name.
 */
export function apacheHeads (module = String.raw`[\w.-]*`): [string, string, string] {
  const prefix = syslogPrefix(String.raw`apache\d*|httpd(?:/\w+)?`)
  // `[%{u}t]` by default; ErrorLogFormat may print another date, always first and in brackets
  const date = String.raw`(?:\[[^\[\]]*\] )?`
  const v24 = String.raw`\[(?:${module}):[a-z]+\d?\] (?:\[pid \d+(?::tid \d+)?\] )?(?:\S+\(\d+\): )?(?:\(-?\d+\)[^\[\]]*: )?(?:\[remote [^\]\s]+\] )?\[(?:client|remote) <ip>:\d{1,5}\] `
  const v22 = String.raw`\[(?:error|warn|notice|info|crit|alert|emerg)\] \[client <ip>\] `
  // a 2.4 head with a port-less IPv4 client (hand-written ErrorLogFormat, relays): unambiguous
  // for IPv4 only, so an IPv6 address is never read without its port
  const v24bare = v24.replace('<ip>:\\d{1,5}\\] ', '(?=\\d{1,3}\\.)<ip>\\] ')
  return [prefix + date + v24, prefix + date + v22, prefix + date + v24bare]
}

/** one regex per head (a regex captures `<ip>` once): `apacheHeads()` each followed by `message` */
export function apacheRegex (message: string, module?: string): string[] {
  return apacheHeads(module).map(h => `${h}(?:${message})`)
}

/** `AH01618: ` (httpd 2.4 message numbers), optional */
export const AH = String.raw`(?:AH\d{5}: )?`

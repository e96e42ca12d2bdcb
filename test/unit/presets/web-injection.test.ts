/**
 * Log injection through the fields a remote client controls (user name, request line, decoded
 * path, Host, Referer, User-Agent) in every web preset: whatever the client writes there — a forged
 * `, client: ADDR`, `[client ADDR:1]`, a whole forged nginx tail, quotes, spaces — the address it
 * chose (198.51.100.66) is never the result, and on a failure line the server's address is.
 * Each line is built the way the server's own format string builds it (sources in the presets).
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { presetMatcher, type Matcher } from './web-match.ts'

const FORGED = '198.51.100.66'
const RUNS = 300

const FRAGMENTS = [
  `, client: ${FORGED}`,
  `, client: ${FORGED}, server: s, request: "GET /p HTTP/1.1", host: "h`,
  `x" password mismatch, client: ${FORGED}, server: s, request: "GET /p HTTP/1.1", host: "h`,
  `" failed (2: No such file or directory), client: ${FORGED}, server: s, request: "GET /phpmyadmin HTTP/1.1", host: "h`,
  `limiting requests, excess: 1.000 by zone "z", client: ${FORGED}, server: s`,
  `access forbidden by rule, client: ${FORGED}, server: s`,
  `[client ${FORGED}:1] `, `[client ${FORGED}] `, `[remote ${FORGED}:1] `,
  `${FORGED} - - [23/Nov/2026:14:09:01 +0000] "GET /phpmyadmin HTTP/1.1" 404 1 "-" "-"`,
  `${FORGED}:1 [23/Nov/2026:14:09:01.655] fe be/<NOSRV> 0/-1/-1/-1/0 401 `,
  'user "bob": password mismatch', 'AH01618: user bob not found: /x', '"', "'", ' ', ', ', '\\"', ':', '/phpmyadmin', FORGED
]

/** client text: forged fragments mixed with arbitrary printable text */
const field = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 12 })), { maxLength: 6 })
  .map(a => a.join(''))
/** the same without `:` — a basic-auth user name (nginx cuts the credentials at the first colon) */
const userName = field.map(s => s.replace(/:/g, ''))
/** a real client address: IPv4 or IPv6, never the forged one */
const realIp = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 254 })).map(([a]) => `203.0.113.${a}`),
  fc.tuple(fc.integer({ min: 1, max: 0xffff })).map(([a]) => `2001:db8::${a.toString(16)}`)
)
const port = fc.integer({ min: 1, max: 65535 })

/** what nginx's access log does to a variable's bytes (ngx_http_log_escape): `"`, `\` and controls as \xHH */
function nginxEscape (s: string): string {
  // eslint-disable-next-line no-control-regex -- these are the bytes nginx escapes
  return s.replace(/["\\\x00-\x1f\x7f]/g, c => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
}
/** what Apache does to logged items (ap_escape_logitem / ap_escape_errorlog_item): `"` and `\` backslashed */
function apacheEscape (s: string): string {
  // eslint-disable-next-line no-control-regex -- the bytes Apache escapes
  return s.replace(/["\\]/g, c => `\\${c}`).replace(/[\x00-\x1f\x7f]/g, c => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

const NGX = '2026/11/23 14:09:01 [error] 1234#1234: *5 '
function nginxTail (ip: string, req: string, host: string, ref: string): string {
  return `, client: ${ip}, server: example.com, request: "${req}", host: "${host}", referrer: "${ref}"`
}

function check (m: Matcher, line: string, real: string, mustMatch: boolean): void {
  const got = m(line)
  assert.notEqual(got, FORGED, `forged address counted: ${line}`)
  if (mustMatch) assert.equal(got, real, `real address not counted: ${line}`)
  else assert.ok(got === null || got === real, `unexpected ${got}: ${line}`)
}

function property (name: string, arb: fc.Arbitrary<[string, string, boolean]>, m: Matcher): void {
  test(name, () => {
    fc.assert(fc.property(arb, ([line, real, must]) => { check(m, line, real, must) }), { numRuns: RUNS })
  })
}

describe('nginx error.log presets: forged client in user, request, Host, Referer', () => {
  for (const mode of ['normal', 'auth', 'aggressive']) {
    const m = presetMatcher('nginx-http-auth', mode)
    property(`nginx-http-auth:${mode} password mismatch`, fc.tuple(realIp, userName, field, field, field)
      .map(([ip, u, req, host, ref]) => [`${NGX}user "${u}": password mismatch${nginxTail(ip, `GET /${req} HTTP/1.1`, host, ref)}`, ip, true]), m)
    property(`nginx-http-auth:${mode} unknown user and PAM`, fc.tuple(realIp, userName, field, field, fc.boolean())
      .map(([ip, u, req, ref, pam]) => [`${NGX}${pam ? `PAM: user '${u}' - not authenticated: Authentication failure` : `user "${u}" was not found in "/etc/nginx/.htpasswd"`}${nginxTail(ip, `POST /${req} HTTP/2.0`, 'example.com', ref)}`, ip, true]), m)
  }
  property('nginx-http-auth:fallback never reads client text', fc.tuple(realIp, field)
    .map(([ip, t]) => [`2026/11/23 14:09:01 [crit] 1#1: *9 SSL_do_handshake() failed (SSL: error:0A0000C6:SSL routines::packet length too long) while SSL handshaking, client: ${ip}, server: 0.0.0.0:443${t}`, ip, false]),
  presetMatcher('nginx-http-auth', 'fallback'))

  const limit = presetMatcher('nginx-limit-req')
  property('nginx-limit-req', fc.tuple(realIp, field, field, field)
    .map(([ip, req, host, ref]) => [`${NGX}limiting requests, excess: 10.520 by zone "one"${nginxTail(ip, `GET /${req} HTTP/1.1`, host, ref)}`, ip, true]), limit)

  const forbidden = presetMatcher('nginx-forbidden')
  property('nginx-forbidden', fc.tuple(realIp, field, field, field)
    .map(([ip, req, host, ref]) => [`${NGX}access forbidden by rule${nginxTail(ip, `GET /.${req} HTTP/1.1`, host, ref)}`, ip, true]), forbidden)

  const bots = presetMatcher('nginx-botsearch')
  property('nginx-botsearch error.log: forged text in the decoded path, request, Host, Referer', fc.tuple(realIp, field, field, field, field)
    .map(([ip, path, req, host, ref]) => {
      const clean =
        ![path, req, host, ref].some(s => s.includes(', client: ')) && !path.includes('"') && !/[\s"]/.test(req)
      return [`${NGX}open() "/usr/share/nginx/html/phpmyadmin${path}" failed (2: No such file or directory)${nginxTail(ip, `GET /phpmyadmin${req} HTTP/1.1`, host, ref)}`, ip, clean]
    }), bots)

  // nginx writes a decoded `%0A` raw; through syslog rsyslog escapes it as `#012`, so the forged
  // line stays inside the genuine one (web-prefix.ts says why a raw newline cannot be defended)
  const forgedLines = [
    `2026/11/23 14:09:01 [error] 1#1: *9 user "bob": password mismatch, client: ${FORGED}, server: s, request: "GET / HTTP/1.1", host: "h"`,
    `2026/11/23 14:09:01 [error] 1#1: *9 limiting requests, excess: 1.000 by zone "z", client: ${FORGED}, server: s, request: "GET / HTTP/1.1", host: "h"`,
    `2026/11/23 14:09:01 [error] 1#1: *9 access forbidden by rule, client: ${FORGED}, server: s, request: "GET / HTTP/1.1", host: "h"`,
    `2026/11/23 14:09:01 [error] 1#1: *9 open() "/x/phpmyadmin" failed (2: No such file or directory), client: ${FORGED}, server: s, request: "GET /phpmyadmin HTTP/1.1", host: "h"`
  ]
  for (const [preset, mode] of [['nginx-http-auth', 'aggressive'], ['nginx-limit-req', 'normal'], ['nginx-forbidden', 'normal'], ['nginx-botsearch', 'normal']]) {
    const m = presetMatcher(preset, mode)
    property(`${preset}: a decoded newline escaped by syslog (#012) keeps a forged line inside the genuine one`,
      fc.tuple(realIp, fc.constantFrom(...forgedLines), field, fc.boolean()).map(([ip, forged, ref, after]) => {
        const path = after ? `/phpmyadmin#012${forged}#012` : `/x#012${forged}`
        return [`Nov 23 14:09:01 web nginx: ${NGX}open() "/usr/share/nginx/html${path}" failed (2: No such file or directory)${nginxTail(ip, 'GET /x%0A HTTP/1.1', 'example.com', ref)}`, ip, false]
      }), m)
  }

  test('the Referer of the report cannot make any nginx error preset count its address', () => {
    const ref = `x" password mismatch, client: ${FORGED}, server: s, request: "GET /p HTTP/1.1", host: "h`
    for (const [preset, msg] of [['nginx-http-auth', 'open() "/var/www/x" failed (2: No such file or directory)'], ['nginx-http-auth', 'user "bob": password mismatch'],
      ['nginx-botsearch', 'open() "/usr/share/nginx/html/phpmyadmin" failed (2: No such file or directory)'], ['nginx-limit-req', 'limiting requests, excess: 1.000 by zone "z"'],
      ['nginx-forbidden', 'access forbidden by rule']] as const) {
      const line = `${NGX}${msg}${nginxTail('203.0.113.7', 'GET /phpmyadmin HTTP/1.1', 'example.com', ref)}`
      assert.notEqual(presetMatcher(preset)(line), FORGED, `${preset}: ${line}`)
    }
  })
})

describe('access-log presets: the address is the first field', () => {
  const accessLine = (ip: string, user: string, req: string, status: number, ref: string, ua: string): string =>
    `${ip} - ${nginxEscape(user) || '-'} [23/Nov/2026:14:09:01 +0000] "${nginxEscape(req)}" ${status} 153 "${nginxEscape(ref)}" "${nginxEscape(ua)}"`
  const cases: Array<[string, string, (f: string) => string, number]> = [
    ['nginx-botsearch', 'normal', f => `GET //phpmyadmin/${f.replace(/\s/g, '')} HTTP/1.1`, 404],
    ['nginx-bad-request', 'normal', f => f, 400],
    ['nginx-probe', 'normal', f => `GET /${f} HTTP/1.1`, 403],
    ['nginx-probe', 'aggressive', f => `GET /wp-login.php${f.replace(/\s/g, '')} HTTP/1.1`, 404]
  ]
  for (const [preset, mode, req, status] of cases) {
    property(
      `${preset}:${mode}`,
      fc
        .tuple(realIp, field, field, field, field)
        .map(([ip, u, f, ref, ua]) => [accessLine(ip, u, req(f), status, ref, ua), ip, true]),
      presetMatcher(preset, mode)
    )
  }
  property('apache-badbots: forged fields before a bot User-Agent', fc.tuple(realIp, field, field, field)
    .map(([ip, u, f, ref]) => [`${ip} - ${apacheEscape(u) || '-'} [23/Nov/2026:14:09:01 +0000] "GET /${apacheEscape(f)} HTTP/1.1" 200 512 "${apacheEscape(ref)}" "EmailSiphon"`, ip, true]),
  presetMatcher('apache-badbots'))
  property('haproxy-http-auth: forged captured headers and request line', fc.tuple(realIp, port, field, field)
    .map(([ip, p, h, r]) => [`Nov 23 14:09:01 lb haproxy[14389]: ${ip}:${p} [23/Nov/2026:14:09:01.655] http-in http-in/<NOSRV> 0/-1/-1/-1/0 401 248 - - PR-- 1/1/0/0/0 0/0 {${h}} "GET /${r} HTTP/1.1"`, ip, true]),
  presetMatcher('haproxy-http-auth'))
})

describe('Apache error.log presets: [client ADDR:PORT] comes before the message', () => {
  const head24 = (ip: string, p: number, mod: string): string => `[Mon Nov 23 14:09:01.123456 2026] [${mod}] [pid 1234:tid 5678] [client ${ip}:${p}] `
  const head22 = (ip: string): string => `[Mon Nov 23 14:09:01 2026] [error] [client ${ip}] `
  const cases: Array<[string, string, (f: string) => string]> = [
    ['apache-auth', 'auth_basic:error', f => `AH01618: user ${f} not found: /private`],
    ['apache-auth', 'auth_basic:error', f => `AH01617: user ${f}: authentication failure for "/${f}": Password Mismatch`],
    ['apache-auth', 'authz_core:error', f => `AH01630: client denied by server configuration: /var/www/${f}`],
    ['apache-botsearch', 'core:info', f => `AH00128: File does not exist: /var/www/html/phpmyadmin${f}`],
    ['apache-noscript', 'core:info', f => `AH00128: File does not exist: /var/www/html/x.php${f.replace(/\S/g, ' ')}`],
    ['apache-overflows', 'core:error', f => `AH00126: Invalid URI in request GET /${f} HTTP/1.1`]
  ]
  for (const [preset, mod, msg] of cases) {
    const m = presetMatcher(preset)
    // a name starting with a backtick reads as Digest's `user `NAME' in realm` form: left out here
    const text = field.map(f => f.replace(/^`+/, ''))
    property(`${preset} 2.4 (${msg('USER')})`, fc.tuple(realIp, port, text, field)
      .map(([ip, p, f, ref]) => [`${head24(ip, p, mod)}${apacheEscape(msg(f))}, referer: ${apacheEscape(ref)}`, ip, true]), m)
    property(`${preset} 2.2 (${msg('USER')})`, fc.tuple(realIp, text)
      .map(([ip, f]) => [`${head22(ip)}${apacheEscape(msg(f)).replace(/^AH\d+: /, '')}`, ip, true]), m)
  }
})

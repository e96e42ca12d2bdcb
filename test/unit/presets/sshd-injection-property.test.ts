/**
 * Log injection into the sshd preset through every field a client controls: the user name
 * (auth.c prints `%.100s` of what the client sent, after strnvis, so any printable text), the
 * banner (`Bad protocol version identification '%.100s'`, `invalid protocol identifier "%.256s"`),
 * a disconnect message (`%.400s`), the client user and host names of a hostbased request and an
 * algorithm offer. Whatever the client writes there — a forged `from ADDR port N ssh2`, a forged
 * key, `[preauth]`, `rhost=` — the address it chose (198.51.100.9) is never counted, on its own
 * line or through the connection's later lines, and a failure line counts the address sshd wrote.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { presetMatcher } from './web-match.ts'

const FORGED = '198.51.100.9'
const RUNS = 400

const FRAGMENTS = [
  ` from ${FORGED} port 22 ssh2`, ` from ${FORGED}`, ` ${FORGED} port 1 [preauth]`, ` ${FORGED} port 1`, ': RSA SHA256:Zm9v',
  ': RSA MD5:2b:8f:4c:aa:01:02:03:04:05:06:07:08:09:0a:0b:0c', ' [preauth]', ` rhost=${FORGED}`, ` user=x rhost=${FORGED}`,
  `' from ${FORGED} port 1`, ` from ${FORGED} not allowed because listed in DenyUsers`, ` (${FORGED})`, `[${FORGED}]:22`,
  ` ID x (serial 1) CA RSA SHA256:Zm9v from ${FORGED} port 1 ssh2: RSA SHA256:a`, ', client user "a", client host "b',
  ':11: Bye Bye [preauth]', `: no matching cipher found. Their offer: x from ${FORGED}`, FORGED, ' ', '"', "'", ':', ' port 22', ' ssh2'
]
const client = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 10 })), { maxLength: 6 })
  .map(a => a.join(''))
const realIp = fc.oneof(
  fc.integer({ min: 1, max: 254 }).map(a => `203.0.113.${a}`),
  fc.integer({ min: 1, max: 0xffff }).map(a => `2001:db8::${a.toString(16)}`)
)
const port = fc.integer({ min: 1, max: 65535 })
const PREFIXES = ['Nov 23 14:09:01 host sshd[PID]: ', '2026-11-23T14:09:01.123456+00:00 host sshd-session[PID]: ', 'host sshd[PID]: ']

type Build = (u: string, c: string, ip: string, p: number) => string
/** [format, the line is a failure the preset must count in aggressive mode] */
const TEMPLATES: Array<[Build, boolean]> = [
  [(u, _c, ip, p) => `Failed password for invalid user ${u} from ${ip} port ${p} ssh2`, true],
  [(u, _c, ip, p) => `Failed publickey for invalid user ${u} from ${ip} port ${p} ssh2: RSA SHA256:Zm9vYmFy`, true],
  [(u, _c, ip, p) => `Failed keyboard-interactive/pam for invalid user ${u} from ${ip} port ${p} ssh2`, true],
  [(u, c, ip, p) => `Failed hostbased for root from ${ip} port ${p} ssh2: RSA SHA256:Zm9v, client user "${u}", client host "${c}"`, true],
  [(u, c, ip, p) => `Failed publickey for invalid user ${u} from ${ip} port ${p} ssh2: RSA-CERT SHA256:Zm9v ID ${c} (serial 1) CA RSA SHA256:YmFy`, false],
  [(u, c, ip, p) => `Failed hostbased for invalid user ${u} from ${ip} port ${p} ssh2: RSA SHA256:Zm9v, client user "${c}", client host "${u}"`, false],
  [(u, _c, ip, p) => `Invalid user ${u} from ${ip} port ${p}`, true],
  [(u, _c, ip, p) => `error: maximum authentication attempts exceeded for invalid user ${u} from ${ip} port ${p} ssh2 [preauth]`, true],
  [(u, _c, ip) => `error: PAM: Authentication failure for illegal user ${u} from ${ip}`, true],
  [(u, _c, ip, p) => `Connection closed by invalid user ${u} ${ip} port ${p} [preauth]`, true],
  [(u, _c, ip, p) => `Disconnected from invalid user ${u} ${ip} port ${p} [preauth]`, true],
  [(_u, c, ip, p) => `Bad protocol version identification '${c}' from ${ip} port ${p}`, true],
  [(_u, c, ip, p) => `Unable to negotiate with ${ip} port ${p}: no matching cipher found. Their offer: ${c}`, true],
  [(_u, c, ip, p) => `Received disconnect from ${ip} port ${p}:3: ${c}: Auth fail [preauth]`, true],
  [(_u, c, ip, p) => `Received disconnect from ${ip} port ${p}:11: ${c}`, false],
  [(u, _c, ip, p) => `Disconnecting invalid user ${u.replace(/ /g, '')}x ${ip} port ${p}: Change of username or service not allowed: (${u},ssh-connection) -> (b,ssh-connection) [preauth]`, true],
  [(u, _c, ip) => `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${u}`, false],
  [(u) => `User ${u} not allowed because account is locked`, false],
  [(u) => `Disconnecting: Too many authentication failures for ${u} [preauth]`, false],
  [(_u, c) => `error: kex_exchange_identification: client sent invalid protocol identifier "${c}"`, false]
]

describe('sshd: client-controlled text never makes the preset count a chosen address', () => {
  for (const mode of ['normal', 'aggressive']) {
    test(`mode ${mode}: single lines`, () => {
      const m = presetMatcher('sshd', mode)
      let pid = 10_000
      fc.assert(
        fc.property(
          fc.nat({ max: TEMPLATES.length - 1 }),
          fc.nat({ max: PREFIXES.length - 1 }),
          client,
          client,
          realIp,
          port,
          (t, pre, u, c, ip, p) => {
            const [build, failure] = TEMPLATES[t]
            const line = PREFIXES[pre].replace('PID', String(pid++)) + build(u, c, ip, p)
            const got = m(line)
            assert.notEqual(got, FORGED, `forged address counted: ${line}`)
            if (failure && mode === 'aggressive') assert.equal(got, ip, `real address not counted: ${line}`)
            else assert.ok(got === null || got === ip, `unexpected ${got}: ${line}`)
          }
        ),
        { numRuns: RUNS * TEMPLATES.length }
      )
    })

    test(`mode ${mode}: whole connections (what a line binds, later lines of its pid count)`, () => {
      const m = presetMatcher('sshd', mode)
      let pid = 50_000
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat({ max: TEMPLATES.length - 1 }), client, client), { minLength: 2, maxLength: 6 }),
          realIp,
          port,
          (steps, ip, p) => {
            const prefix = `Nov 23 14:09:01 host sshd[${pid++}]: `
            for (const [t, u, c] of steps) {
              const line = prefix + TEMPLATES[t][0](u, c, ip, p)
              const got = m(line)
              assert.ok(got === null || got === ip, `counted ${got}: ${line}`)
            }
          }
        ),
        { numRuns: RUNS }
      )
    })
  }
})

/**
 * Property: whatever a client writes into the fields Dovecot and Postfix copy into their log
 * lines (user names, HELO, sender, recipient, SASL user, command text), the presets never count
 * an address other than the one the server wrote. Each generated field is built from fragments
 * that imitate the server's own text around an address (`, rip=ADDR`, `,ADDR,<s>): unknown user`,
 * `RCPT from x[ADDR]: 554 5.7.1`), with the forged address 198.51.100.9; the real one is
 * 203.0.113.7. A regex that took the first `rip=`, or any address after client text, fails here.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { parseConfig } from '../../../src/config/index.ts'
import { compileFilter } from '../../../src/detect/index.ts'
import { getPreset } from '../../../src/config/presets/index.ts'

const REAL = '203.0.113.7'
const FORGED = '198.51.100.9'

function compiled (preset: string, mode: string) {
  const text = `patterns:\n  ip:\n    type: ip\nstreams:\n  s:\n    cmd: [cat]\n    preset: ${preset}\n    mode: ${mode}\n`
  const config = parseConfig([{ file: `${preset}.yaml`, text, format: 'yaml' }], { isRoot: false, cwd: '/' })
  return config.streams.s.filters.map(f => compileFilter(f, config.patterns))
}

/** the first filter's match, as test-regex prints it */
function attribute (filters: ReturnType<typeof compiled>, line: string): string | null {
  for (const f of filters) {
    const m = f.match(line, 0)
    if (m !== null) return m.ip ?? m.key
  }
  return null
}

function field (fragments: string[], maxLength: number): fc.Arbitrary<string> {
  return fc.array(fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 4 })), { maxLength: 6 })
    .map(parts => parts.join('').slice(0, maxLength))
}

const DOVECOT_FRAGMENTS = [
  `, rip=${FORGED}`, ', lip=192.0.2.1', `rip=${FORGED}`, '>', ', ', ', method=PLAIN', ', session=<a>', ', TLS',
  `,${FORGED}`, `,${FORGED},<a>): `, '): unknown user', '): pam_authenticate() failed: Permission denied',
  ' (auth failed, 1 attempts in 2 secs): user=<', 'x', '(', ')', ' rhost=', `${FORGED} `, '  user=x'
]

const POSTFIX_FRAGMENTS = [
  `x[${FORGED}]`, `[${FORGED}]:25`, ` from unknown[${FORGED}]: `, 'RCPT from ', ': 554 5.7.1 ', 'Relay access denied',
  '>', '<', '; ', ' ', ': ', 'warning: ', 'SASL LOGIN authentication failed: ', 'lost connection after CONNECT',
  ` does not resolve to address ${FORGED}`, 'auth=0/1', `${FORGED}`, 'x'
]

const RUNS = 1500

describe('dovecot: client-written fields never supply the counted address', () => {
  // Dovecot's login process keeps at most 80 characters of the user name (str_sanitize)
  const user = field(DOVECOT_FRAGMENTS, 80)
  const templates: Array<(u: string) => string> = [
    u => `Nov 23 14:09:01 mail dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<${u}>, method=PLAIN, rip=${REAL}, lip=192.0.2.1, TLS, session=<Xs7a>`,
    u => `Nov 23 14:09:01 mail dovecot: pop3-login: Disconnected (no auth attempts in 0 secs): user=<${u}>, rip=${REAL}, lip=192.0.2.1, session=<Xs7a>`,
    u => `Nov 23 14:09:01 mail dovecot: auth-worker(4321): pam(${u},${REAL},<Xs7a>): pam_authenticate() failed: Authentication failure (password mismatch?)`,
    u => `Nov 23 14:09:01 mail dovecot: auth: passwd-file(${u},${REAL},<Xs7a>): unknown user`,
    u => `Nov 23 14:09:01 mail auth: pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=${u} rhost=${REAL}  user=${u}`
  ]
  for (const mode of getPreset('dovecot')!.modes) {
    test(`mode ${mode}: each template with a plain user name matches ${REAL}; injected names never yield another address`, () => {
      const filters = compiled('dovecot', mode)
      templates.forEach((t, i) => {
        // template 1 (no auth attempts) is aggressive only
        assert.equal(attribute(filters, t('bob')), i === 1 && mode === 'normal' ? null : REAL, t('bob'))
      })
      fc.assert(fc.property(user, fc.nat(templates.length - 1), (u, i) => {
        const got = attribute(filters, templates[i](u))
        return got === null || got === REAL
      }), { numRuns: RUNS })
    })
  }
})

describe('postfix: client-written fields never supply the counted address', () => {
  const text = field(POSTFIX_FRAGMENTS, 120)
  const templates: Array<(a: string, b: string) => string> = [
    (a, b) => `Nov 23 14:09:01 mail postfix/smtpd[1234]: NOQUEUE: reject: RCPT from unknown[${REAL}]: 554 5.7.1 <${a}>: Relay access denied; from=<${b}> to=<${a}> proto=ESMTP helo=<${b}>`,
    (a, b) => `Nov 23 14:09:01 mail postfix/smtpd[1234]: NOQUEUE: reject: EHLO from unknown[${REAL}]: 504 5.5.2 <${a}>: Helo command rejected: need fully-qualified hostname; proto=ESMTP helo=<${b}>`,
    (a) => `Nov 23 14:09:01 mail postfix/smtpd[1234]: warning: unknown[${REAL}]: SASL PLAIN authentication failed: authentication failure, sasl_username=${a}`,
    (a) => `Nov 23 14:09:01 mail postfix/smtpd[1234]: improper command pipelining after EHLO from unknown[${REAL}]: ${a}`,
    (a) => `Nov 23 14:09:01 mail postfix/smtpd[1234]: warning: non-SMTP command from unknown[${REAL}]: ${a}`,
    (a) => `Nov 23 14:09:01 mail postfix/postscreen[99]: PREGREET 11 after 0.1 from [${REAL}]:52144: ${a}`
  ]
  for (const mode of getPreset('postfix')!.modes) {
    test(`mode ${mode}: injected HELO, sender, recipient, SASL user and command text never yield another address`, () => {
      const filters = compiled('postfix', mode)
      fc.assert(fc.property(text, text, fc.nat(templates.length - 1), (a, b, i) => {
        const got = attribute(filters, templates[i](a, b))
        return got === null || got === REAL
      }), { numRuns: RUNS })
    })
  }

  test('each template is matched in the mode meant for it (the property is not vacuous)', () => {
    const plain: Array<[string, number]> = [['normal', 0], ['normal', 1], ['auth', 2], ['normal', 3], ['ddos', 4], ['ddos', 5]]
    for (const [mode, i] of plain) assert.equal(attribute(compiled('postfix', mode), templates[i]('x@example.net', 'x')), REAL, `${mode} #${i}`)
  })
})

/**
 * Presets whose logs print a client-chosen user name BEFORE the address (Roundcube, MySQL,
 * GitLab, Forgejo/Gitea, MongoDB): whatever the client types, a line is attributed to the address
 * the server wrote, or to nobody; never to an address hidden in the name. Each template below
 * prints a line the way the software's own format string does (file named beside it), with the
 * attacker's name in its slot; fast-check then searches for a name that moves the attribution.
 * A second property checks that ordinary account names still count.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { parseConfig } from '../../../src/config/index.ts'
import { compileFilter } from '../../../src/detect/index.ts'

const REAL = '203.0.113.7'
const FORGED = '198.51.100.9'

function matcher (preset: string, mode: string): (line: string) => string | null {
  const text = `patterns:\n  ip:\n    type: ip\nstreams:\n  s:\n    cmd: [cat]\n    preset: ${preset}\n    mode: ${mode}\n`
  const config = parseConfig([{ file: `${preset}.yaml`, text, format: 'yaml' }], { isRoot: false, cwd: '/' })
  const filters = config.streams.s.filters.map(f => compileFilter(f, config.patterns))
  return (line) => {
    for (const f of filters) {
      const m = f.match(line, 0)
      if (m !== null) return m.ip ?? m.key
    }
    return null
  }
}

const json = (s: string): string => JSON.stringify(s).slice(1, -1)

interface Form { preset: string, mode: string, source: string, line: (user: string, addr: string) => string }

const FORMS: Form[] = [
  {
    preset: 'roundcube-auth', mode: 'normal', source: 'program/lib/Roundcube/rcube_imap.php connect() via rcube::raise_error()',
    line: (u, a) => `[23-Nov-2026 14:09:01 +0000]: <a1b2c3d4> IMAP Error: Login failed for ${u.slice(0, 256)} against localhost from ${a}. AUTHENTICATE PLAIN: Authentication failed. in /usr/share/roundcube/program/lib/Roundcube/rcube_imap.php on line 211 (POST /?_task=login&_action=login)`
  },
  {
    preset: 'roundcube-auth', mode: 'normal', source: 'program/include/rcmail.php log_login()',
    line: (u, a) => `[23-Nov-2026 14:09:01 +0000]: <a1b2c3d4> Failed login for ${u.slice(0, 256)} from ${a} in session a1b2c3d4e5f60718 (error: 0)`
  },
  {
    preset: 'mysqld-auth', mode: 'normal', source: "ER_ACCESS_DENIED_ERROR \"Access denied for user '%-.48s'@'%-.64s' (using password: %s)\"",
    line: (u, a) => `2026-11-23 14:09:01 8 [Warning] Access denied for user '${u.slice(0, 48)}'@'${a}' (using password: YES)`
  },
  {
    // name resolution on: the host is a name, and nothing on the line may count
    preset: 'mysqld-auth', mode: 'normal', source: 'ER_ACCESS_DENIED_ERROR with a resolved host name',
    line: (u) => `2026-11-23 14:09:01 8 [Warning] Access denied for user '${u.slice(0, 48)}'@'scanner.example.net' (using password: YES)`
  },
  {
    preset: 'gitlab', mode: 'normal', source: 'app/controllers/sessions_controller.rb log_failed_login(), application.log',
    line: (u, a) => `2026-11-23T14:09:01.123Z: Failed Login: username=${u} ip=${a}`
  },
  {
    preset: 'gitlab', mode: 'normal', source: 'app/controllers/sessions_controller.rb log_failed_login(), application_json.log',
    line: (u, a) => `{"severity":"INFO","time":"2026-11-23T14:09:01.123Z","correlation_id":"01HF","message":"Failed Login: username=${json(u)} ip=${a}"}`
  },
  {
    preset: 'forgejo', mode: 'normal', source: 'routers/web/auth/auth.go SignInPost() with ErrUserNotExist',
    line: (u, a) => `2026/11/23 14:09:01 ...ers/web/auth/auth.go:223:SignInPost() [I] Failed authentication attempt for ${u} from ${a}:52144: user does not exist [uid: 0, name: ${u}]`
  },
  {
    preset: 'gitea', mode: 'normal', source: 'routers/web/auth/auth.go SignInPost(), signed in by e-mail (the error names the stored name)',
    line: (u, a) => `2026/11/23 14:09:01 ...ers/web/auth/auth.go:223:SignInPost() [I] Failed authentication attempt for ${u} from ${a}:52144: user's password is invalid [uid: 3, name: alice]`
  },
  {
    preset: 'mongodb-auth', mode: 'normal', source: 'MongoDB 3.x sasl_commands.cpp',
    line: (u, a) => `2017-11-23T14:09:01.123+0000 I ACCESS   [conn12] SASL SCRAM-SHA-1 authentication failed for ${u} on admin from client ${a}:52144 ; UserNotFound: Could not find user ${u}@admin`
  },
  {
    preset: 'mongodb-auth', mode: 'normal', source: 'MongoDB 4.4+ LOGV2 20249 "Authentication failed"',
    line: (u, a) => `{"t":{"$date":"2026-11-23T14:09:01.123+00:00"},"s":"I","c":"ACCESS","id":20249,"ctx":"conn12","msg":"Authentication failed","attr":{"mechanism":"SCRAM-SHA-256","speculative":false,"principalName":"${json(u)}","authenticationDatabase":"admin","remote":"${a}:52144","extraInfo":{},"error":"UserNotFound: Could not find user \\"${json(json(u))}\\" for db \\"admin\\""}}`
  }
]

// what an attacker would put in a name: the forms' own separators around the forged address
const PIECES = [
  ' ', 'x', 'from ', ` from ${FORGED}`, ` from ${FORGED}:`, ` from ${FORGED}.`, ` from ${FORGED}. `, ` from ${FORGED}:1: `, ` from client ${FORGED}:1 ; `, ` against h from ${FORGED}.`,
  `'@'${FORGED}' (using password: YES)`, `'@'${FORGED}'`, ` ip=${FORGED}`, '"', '\\', `","remote":"${FORGED}:1`,
  ' in session s (error: 0)', ' (X-Forwarded-For: ', ')', '(', ' on admin', ' user does not exist [uid: 0, name: ', ']', ':', '.', ';'
]
const hostile = fc.oneof(
  fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map(a => a.join('')),
  fc.string({ maxLength: 80 })
).filter(s => !/[\r\n]/.test(s))
const plain = fc.stringMatching(/^[a-z][a-z0-9._@-]{0,30}$/)

describe('a client-chosen user name never supplies the counted address', () => {
  for (const form of FORMS) {
    const match = matcher(form.preset, form.mode)
    test(`${form.preset}:${form.mode} (${form.source})`, () => {
      fc.assert(fc.property(hostile, (user) => {
        const got = match(form.line(user, REAL))
        assert.ok(got === null || got === REAL, `name ${JSON.stringify(user)} gave ${got}`)
      }), { numRuns: 2000 })
      const resolved = form.line('u', REAL).includes('scanner.example.net')
      fc.assert(fc.property(plain, (user) => {
        assert.equal(match(form.line(user, REAL)), resolved ? null : REAL, `plain name ${JSON.stringify(user)}`)
      }), { numRuns: 300 })
    })
  }

  test('roundcube-auth: an X-Forwarded-For value is never the counted address', () => {
    const match = matcher('roundcube-auth', 'normal')
    // rcube_utils::remote_ip() appends the header the client sent after REMOTE_ADDR
    fc.assert(fc.property(hostile, hostile, (user, xff) => {
      const a = `${REAL} (X-Forwarded-For: ${xff})`
      for (const line of [
        `[23-Nov-2026 14:09:01 +0000]: IMAP Error: Login failed for ${user} against localhost from ${a}. LOGIN: Authentication failed. in /r/rcube_imap.php on line 211 (POST /?_task=login)`,
        `[23-Nov-2026 14:09:01 +0000]: Failed login for ${user} from ${a} in session a1b2c3d4 (error: 1)`
      ]) {
        const got = match(line)
        assert.ok(got === null || got === REAL, `user ${JSON.stringify(user)} xff ${JSON.stringify(xff)} gave ${got}`)
      }
    }), { numRuns: 2000 })
  })
})

/**
 * The application presets stay linear on hostile lines: a realistic start for each form, then
 * one fragment repeated to 16 KiB (the separators these regexes look for: ` from ADDR`, `'@'`,
 * `key=value `, `"k":"v",`, ` - `). Every regex is compiled on its own, `<ip>` substituted, as
 * the engine would; a linear regex takes well under a millisecond, the bound leaves room for a
 * slow, shared machine. Each line counts its fastest of three runs: a garbage-collection pause
 * or a busy neighbour lengthens one run, a backtracking regex is slow in all three.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../../src/config/index.ts'
import type { FilterConfig } from '../../../src/config/index.ts'
import { compileFilter } from '../../../src/detect/index.ts'
import { getPreset } from '../../../src/config/presets/index.ts'

const BOUND_MS = 50
const SIZE = 16 * 1024

const STARTS: Record<string, string[]> = {
  vaultwarden: ['[2026-11-23 14:09:01.1][vaultwarden::api::identity][ERROR] Username or password is incorrect. Try again. IP: ', '[t][vaultwarden::a][ERROR] Invalid TOTP code! Server time: '],
  nextcloud: ['{"reqId":"a","level":2,"time":"t","remoteAddr":"203.0.113.7",', '{'],
  recidive: ['{"level":30,', 'Nov 23 14:09:01 host palisade[1]: {"level":30,'],
  'traefik-auth': ['203.0.113.7 - bob [23/Nov/2026:14:09:01 +0000] "', '{"ClientAddr":"x","ClientHost":"203.0.113.7","ClientUsername":"'],
  'roundcube-auth': ['[23-Nov-2026 14:09:01 +0000]: <a> IMAP Error: Login failed for x against h from 203.0.113.7', '[d]: Failed login for x from 203.0.113.7 (', 'Failed login for '],
  gitlab: ['2026-11-23T14:09:01.123Z: Failed Login: username=', '{"severity":"INFO",', '{"message":"Failed Login: username='],
  grafana: ['logger=context ', 'logger=context msg="Invalid username or password" ', 'msg="Request Completed" method=POST path='],
  'mysqld-auth': ["2026-11-23 14:09:01 8 [Warning] Access denied for user '", '130322 11:26:54 [Warning] '],
  'mongodb-auth': ['{"t":{"$date":"x"},"s":"I","c":"ACCESS","id":20249,"ctx":"conn1","msg":"Authentication failed","attr":{', '2017-11-23T14:09:01.123+0000 I ACCESS   [conn12] SASL SCRAM-SHA-1 authentication failed for x on admin from client 203.0.113.7:1 ; '],
  'named-refused': ["client @0x7f 203.0.113.7#53 (x): query (cache) '", 'client 203.0.113.7#53 ('],
  forgejo: ['2026/11/23 14:09:01 a.go:1:F() [I] Failed authentication attempt for x from 203.0.113.7:1: '],
  gitea: ['[I] Failed authentication attempt for '],
  'matrix-synapse': ['2026-11-23 14:09:01,1 - synapse.access.http.8008 - 1 - INFO - POST-1 - 203.0.113.7 - 8008 - {None} Processed request: ']
}

const FRAGMENTS = [
  'a', ' ', ':', '.', '1', '"', "'", '(', ')', '[', '{', '\\"', ', ', ' - ',
  ' from 203.0.113.7', ' from 203.0.113.7. ', ' from 203.0.113.7:1: ', ' from client 203.0.113.7:1 ; ', "'@'203.0.113.7' ",
  ' ip=203.0.113.7', 'a=b ', 'a="b" ', 'msg="x" ', ' remote_addr=203.0.113.7', '"a":"b",', '"a":1,', '"remote":"203.0.113.7:1",',
  ' in session a (error: 1)', ' (X-Forwarded-For: 1.2.3.4)', '#53 (x): ', ' IP: 203.0.113.7. ', '0.1sec/0.1sec ', '2001:db8::', '1.2.3.4.'
]

function fill (start: string, fragment: string): string {
  return start + fragment.repeat(Math.ceil((SIZE - start.length) / fragment.length))
}

describe('application presets resist catastrophic backtracking', () => {
  for (const [name, starts] of Object.entries(STARTS)) {
    test(`${name}: every regex of every mode under ${BOUND_MS} ms on 16 KiB adversarial lines`, (t) => {
      const preset = getPreset(name)
      assert.ok(preset !== undefined, `preset ${name} is registered`)
      const inputs = ['', ...starts].flatMap(s => FRAGMENTS.map(f => fill(s, f)))
      let worst = { ms: 0, regex: '', input: '' }
      let count = 0
      for (const mode of preset.modes) {
        const text = `patterns:\n  ip:\n    type: ip\nstreams:\n  s:\n    cmd: [cat]\n    preset: ${name}\n    mode: ${mode}\n`
        const config = parseConfig([{ file: `${name}.yaml`, text, format: 'yaml' }], { isRoot: false, cwd: '/' })
        for (const f of config.streams.s.filters) {
          for (const r of f.regex) {
            const one: FilterConfig = { ...f, regex: [r] }
            const compiled = compileFilter(one, config.patterns)
            count++
            for (const input of inputs) {
              let ms = Infinity
              for (let run = 0; run < 3; run++) {
                const t0 = performance.now()
                compiled.match(input, 0)
                ms = Math.min(ms, performance.now() - t0)
              }
              if (ms > worst.ms) worst = { ms, regex: r, input: input.slice(0, 80) }
            }
          }
        }
      }
      t.diagnostic(`${name}: ${count} regexes x ${inputs.length} lines, slowest ${worst.ms.toFixed(2)} ms`)
      assert.ok(worst.ms < BOUND_MS, `${name}: ${worst.ms.toFixed(1)} ms for ${worst.regex}\n  on ${JSON.stringify(worst.input)}…`)
    })
  }
})

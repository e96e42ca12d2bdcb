/**
 * The web presets on 16 KiB adversarial lines that start like their real lines (redos.test.ts
 * runs every preset from an empty start; these starts reach the message and tail parts: user
 * names, decoded paths, quoted request fields, repeated `[client …]` and `, client:` fields).
 * Each input is run once before timing (the bound measures matching, not V8's regex compilation),
 * then the best of three runs counts.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../../src/config/index.ts'
import { compileFilter } from '../../../src/detect/index.ts'
import { getPreset } from '../../../src/config/presets/index.ts'

const BOUND_MS = 50
const SIZE = 16 * 1024

const NGX = '2026/11/23 14:09:01 [error] 1#1: *1 '
const ACCESS = '203.0.113.7 - - [23/Nov/2026:14:09:01 +0000] "'
const APACHE = '[Mon Nov 23 14:09:01.1 2026] [core:error] [pid 1:tid 2] '
const STARTS: Record<string, string[]> = {
  'nginx-http-auth': [NGX + 'user "', NGX + "PAM: user '", '2026/11/23 14:09:01 [crit] 1#1: *1 SSL_do_handshake() failed (SSL: error:', 'web nginx[1]: ' + NGX],
  'nginx-botsearch': [ACCESS + 'GET //phpmyadmin', NGX + 'open() "', NGX + 'open() "/x" failed (2: No such file or directory), client: 203.0.113.7'],
  'nginx-limit-req': [NGX + 'limiting requests, excess: ', NGX + 'limiting requests, excess: 1 by zone "z", client: 203.0.113.7'],
  'nginx-forbidden': [NGX + 'access forbidden by rule', NGX + 'access forbidden by rule, client: 203.0.113.7'],
  'nginx-bad-request': [ACCESS, '203.0.113.7 - '],
  'nginx-probe': [ACCESS + 'GET ', ACCESS + 'POST ', ACCESS + 'GET /', '203.0.113.7 - '],
  'apache-auth': [APACHE + '[client 203.0.113.7:5] AH01618: user ', APACHE + '[client 203.0.113.7:5] Digest: user `', APACHE, '[Mon Nov 23 14:09:01 2026] [error] [client 203.0.113.7] ', 'Nov 23 14:09:01 web apache2[1]: '],
  'apache-badbots': [ACCESS + 'GET ', ACCESS + 'GET / HTTP/1.1" 200 1 "-" "', '203.0.113.7 - '],
  'apache-botsearch': [APACHE + '[client 203.0.113.7:5] AH00128: File does not exist: /var/www', APACHE + "[client 203.0.113.7:5] script '/var/www"],
  'apache-noscript': [APACHE + '[client 203.0.113.7:5] AH00128: File does not exist: /', APACHE + "[client 203.0.113.7:5] script '/"],
  'apache-overflows': [APACHE + '[client 203.0.113.7:5] AH00126: Invalid URI in request ', APACHE + '[client 203.0.113.7:5] request failed: '],
  'haproxy-http-auth': ['haproxy[1]: 203.0.113.7:1 [', 'haproxy[1]: 2001:db8::', 'haproxy[1]: 203.0.113.7:1 [x] fe be/<NOSRV> ']
}

const FRAGMENTS = [
  'a', ' ', ':', '.', '1', '"', "'", '`', '[', '(', '/', '//', '/a', ', ', '\\"', '\\x22', 'aaaa:', '2001:db8::', '::ffff:', '1.2.3.4:5 ',
  ', client: 203.0.113.7', ', client: 203.0.113.7, server: x, request: "GET / HTTP/1.1", host: "h" ', '[client 203.0.113.7:1] ',
  'user x ', ' not found', ' password mismatch', "`a' in realm `b' ", ' to access ', ' - - [23/Nov/2026:14:09:01 +0000] "', '" 404 ',
  '/wp-login.php', 'phpmyadmin', '.php', 'too long', ' received - ', '-1/'
]

function fill (start: string, fragment: string): string {
  return start + fragment.repeat(Math.ceil((SIZE - start.length) / fragment.length))
}

describe('web presets stay linear on adversarial lines', () => {
  for (const [name, starts] of Object.entries(STARTS)) {
    const preset = getPreset(name)
    test(`${name}: every regex of every mode under ${BOUND_MS} ms`, (t) => {
      assert.ok(preset !== undefined, `preset ${name} is registered`)
      let worst = { ms: 0, regex: '', input: '' }
      for (const mode of preset.modes) {
        const text = `patterns:\n  ip:\n    type: ip\nstreams:\n  s:\n    cmd: [cat]\n    preset: ${name}\n    mode: ${mode}\n`
        const config = parseConfig([{ file: `${name}.yaml`, text, format: 'yaml' }], { isRoot: false, cwd: '/' })
        for (const f of config.streams.s.filters) {
          for (const r of f.regex) {
            const one = compileFilter({ ...f, regex: [r] }, config.patterns)
            for (const s of ['', ...starts]) {
              for (const frag of FRAGMENTS) {
                const input = fill(s, frag)
                // the first run of a regex is V8's bytecode interpreter; time the compiled one, best
                // of three: a GC pause or a busy CPU slows one run, super-linear matching slows all
                one.match(input, 0)
                let ms = Infinity
                for (let k = 0; k < 3; k++) {
                  const t0 = performance.now()
                  one.match(input, 0)
                  ms = Math.min(ms, performance.now() - t0)
                }
                if (ms > worst.ms) worst = { ms, regex: r, input: input.slice(0, 100) }
              }
            }
          }
        }
      }
      t.diagnostic(`${name}: slowest ${worst.ms.toFixed(2)} ms`)
      assert.ok(worst.ms < BOUND_MS, `${name}: ${worst.ms.toFixed(1)} ms for ${worst.regex}\n  on ${JSON.stringify(worst.input)}…`)
    })
  }
})

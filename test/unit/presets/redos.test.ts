/**
 * Every preset, in every mode, loads through the real config loader and compiles; and no regex
 * of any preset backtracks catastrophically. Each regex is compiled on its own (as the engine
 * would, `<ip>` substituted) and run on 16 KiB adversarial lines: a realistic line start for
 * that preset followed by one fragment repeated (`from ADDR port 1 `, `, client: ADDR`, `rip=…`),
 * the shapes that make `.*` plus an anchored tail try many split points. A linear regex takes
 * well under a millisecond here; the bound is generous so a slow CI machine does not flake.
 */
import { test, describe } from 'node:test'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import assert from 'node:assert/strict'
import { parseConfig } from '../../../src/config/index.ts'
import type { Config, FilterConfig } from '../../../src/config/index.ts'
import { compileFilter } from '../../../src/detect/index.ts'
import { allPresets, getPreset, presetNames } from '../../../src/config/presets/index.ts'

const BOUND_MS = 50
const SIZE = 16 * 1024

const STARTS: Record<string, string[]> = {
  sshd: ['Nov 23 14:09:01 host sshd[1]: ', '2026-11-23T14:09:01+0000 host sshd-session[1]: error: ', 'Failed password for '],
  dropbear: ['Nov 23 14:09:01 host dropbear[1]: Bad password attempt for \'', 'Sat Nov 23 14:09:01 2026 authpriv.info dropbear[1]: Exit before auth (user \''],
  'pam-generic': ['Nov 23 14:09:01 host sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser='],
  'nginx-http-auth': ['2026/11/23 14:09:01 [error] 1#1: *1 user "'],
  'nginx-limit-req': ['2026/11/23 14:09:01 [error] 1#1: *1 limiting requests, excess: '],
  'nginx-botsearch': ['203.0.113.7 - - [23/Nov/2026:14:09:01 +0000] "GET /wp-login.php', '2026/11/23 14:09:01 [error] 1#1: *1 open() "'],
  'apache-auth': ['[Mon Nov 23 14:09:01.1 2026] [auth_basic:error] [pid 1:tid 2] [client 203.0.113.7:5] AH01618: user '],
  postfix: ['Nov 23 14:09:01 mail postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[203.0.113.7]: 554 5.7.1 ', 'Nov 23 14:09:01 mail postfix/smtpd[1]: disconnect from x[203.0.113.7]'],
  dovecot: ['Nov 23 14:09:01 mail dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<', 'Nov 23 14:09:01 mail dovecot: auth-worker(1): pam('],
  exim: ['2026-11-23 14:09:01 dovecot_login authenticator failed for (', '2026-11-23 14:09:01 SMTP protocol error in "', '2026-11-23 14:09:01 H=('],
  'exim-spam': ['2026-11-23 14:09:01 1rAbcD-000Abc-Xy F=<a@b> H=(x) [203.0.113.7]:1 rejected by local_scan(): ', '2026-11-23 14:09:01 H=(x) [203.0.113.7]:1 F=<a@b> rejected RCPT <'],
  'courier-auth': ['Nov 23 14:09:01 mail imapd: LOGIN FAILED, user='],
  'courier-smtp': ['Nov 23 14:09:01 mail courieresmtpd: error,relay=::ffff:203.0.113.7,from=<'],
  'cyrus-imap': ['Nov 23 14:09:01 mail cyrus/imap[1]: badlogin: [203.0.113.7] PLAIN '],
  'sendmail-auth': ['Nov 23 14:09:01 mail sm-mta[1]: AUTH failure (LOGIN): authentication failure (-13) '],
  'sendmail-reject': ['Nov 23 14:09:01 mail sm-mta[1]: 0ANE91Q1004242: ruleset=check_rcpt, arg1=<x>, relay=[203.0.113.7], reject=550 5.7.1 <'],
  vsftpd: ['Sun Nov 23 14:09:01 2026 [pid 1] [', 'Sun Nov 23 14:09:01 2026 [pid 1] [ftp] FAIL LOGIN: Client "203.0.113.7", anon password "'],
  proftpd: ['Nov 23 14:09:01 ftp proftpd[1]: ftp.example (203.0.113.7[203.0.113.7]) - USER '],
  'pure-ftpd': ['Nov 23 14:09:01 ftp pure-ftpd: (?@203.0.113.7) [WARNING] Authentication failed for user ['],
  vaultwarden: ['[2026-11-23 14:09:01.1][vaultwarden::api::identity][ERROR] Username or password is incorrect. Try again. IP: '],
  nextcloud: ['{"reqId":"a","level":2,"time":"t","remoteAddr":"203.0.113.7",', '{'],
  'traefik-auth': ['203.0.113.7 - bob [23/Nov/2026:14:09:01 +0000] "', '{"ClientAddr":"x","ClientHost":"203.0.113.7","ClientUsername":"', '{'],
  recidive: ['{"level":30,', 'Nov 23 14:09:01 host palisade[1]: {"level":30,']
}

const FRAGMENTS = [
  'a', ' ', ':', '.', '1', '"', '[', '(', ', ', '\\"', 'aaaa:',
  'from 203.0.113.7 port 22 ', ' from 203.0.113.7', 'user x ', '203.0.113.7 port 1 [preauth] ',
  ', client: 203.0.113.7', ', client: 203.0.113.7, server: x, request: "GET / HTTP/1.1", host: "h" ',
  'rip=203.0.113.7, lip=192.0.2.1, ', ',203.0.113.7,<a>): ', 'x[203.0.113.7]: ', ' a=1', ' auth=0/',
  ',"ip":"203.0.113.7"', '"a":"b",', '"a":1,', ',"component":"decide"', ',"msg":"ban"',
  '2001:db8::', '::ffff:', '1.2.3.4.', '1.2.3.4:5 ', 'Nov 23 14:09:01 host sshd[1]: ', 'IP: 203.0.113.7. '
]

function load (preset: string, mode: string): Config {
  const text = `patterns:\n  ip:\n    type: ip\nstreams:\n  s:\n    cmd: [cat]\n    preset: ${preset}\n    mode: ${mode}\n`
  return parseConfig([{ file: `${preset}-${mode}.yaml`, text, format: 'yaml' }], { isRoot: false, cwd: '/' })
}

function fill (start: string, fragment: string): string {
  return start + fragment.repeat(Math.ceil((SIZE - start.length) / fragment.length))
}

describe('presets compile', () => {
  test('the registry knows every preset by name', () => {
    // every registered preset has golden cases of its own (test/fixtures/presets/<name>[-<mode>…])
    const fixtures = readdirSync(join(import.meta.dirname, '../../fixtures/presets'))
    for (const name of presetNames()) {
      assert.ok(fixtures.some(d => d === name || d.startsWith(`${name}-`)), `${name}: no golden directory`)
    }
    assert.ok(presetNames().length >= 30, `only ${presetNames().length} presets`)
    for (const p of allPresets()) {
      assert.equal(getPreset(p.name), p)
      assert.ok(p.modes.includes(p.defaultMode), `${p.name}: default mode listed`)
      assert.ok(p.source.file !== undefined || (p.source.journal ?? []).length > 0, `${p.name}: has a source`)
    }
  })

  for (const preset of allPresets()) {
    for (const mode of preset.modes) {
      test(`${preset.name} mode ${mode} loads, compiles, and every regex names <ip> or is linked`, () => {
        const config = load(preset.name, mode)
        const filters = config.streams.s.filters
        assert.ok(filters.length > 0)
        for (const f of filters) {
          assert.equal(f.preset, `${preset.name}:${mode}`)
          compileFilter(f, config.patterns)
          for (const r of f.regex) {
            assert.ok(r.startsWith('^'), `${f.id}: regex not anchored at the line start: ${r}`)
            assert.ok(r.includes('<ip>') || f.link !== undefined, `${f.id}: no <ip> and no link: ${r}`)
          }
        }
      })
    }
  }
})

describe('presets resist catastrophic backtracking', () => {
  for (const preset of allPresets()) {
    test(`${preset.name}: every regex of every mode under ${BOUND_MS} ms on 16 KiB adversarial lines`, (t) => {
      const starts = ['', ...(STARTS[preset.name] ?? [])]
      const inputs = starts.flatMap(s => FRAGMENTS.map(f => fill(s, f)))
      const seen = new Set<string>()
      let worst = { ms: 0, regex: '', input: '' }
      for (const mode of preset.modes) {
        const config = load(preset.name, mode)
        for (const f of config.streams.s.filters) {
          for (const r of f.regex) {
            if (seen.has(r)) continue
            seen.add(r)
            const one: FilterConfig = { ...f, regex: [r] }
            const compiled = compileFilter(one, config.patterns)
            // V8 compiles a regex to native code on its first long input: that is a one-time
            // cost, not backtracking, so it is paid before the clock runs
            for (let k = 0; k < 2; k++) compiled.match(inputs[0], 0)
            for (const input of inputs) {
              // the fastest of three: a busy machine can stall one run, never a linear regex thrice
              let ms = Infinity
              for (let k = 0; k < 3 && ms >= 1; k++) {
                const t0 = performance.now()
                compiled.match(input, 0)
                ms = Math.min(ms, performance.now() - t0)
              }
              if (ms > worst.ms) worst = { ms, regex: r, input: input.slice(0, 80) }
            }
          }
        }
      }
      t.diagnostic(`${preset.name}: ${seen.size} regexes x ${inputs.length} lines, slowest ${worst.ms.toFixed(2)} ms`)
      assert.ok(worst.ms < BOUND_MS, `${preset.name}: ${worst.ms.toFixed(1)} ms for ${worst.regex}\n  on ${JSON.stringify(worst.input)}…`)
    })
  }
})

describe('dovecot takes the last rip= in linear time', () => {
  // the tail after `rip=` once accepted any later `, rip=…`, so each earlier candidate scanned to the
  // end of the line: 1.7 s on 64 KiB of `rip=…, lip=…, ` ending in `,x` (the `$` failing each time)
  test('64 KiB of repeated rip=/lip= with a failing end, every mode, under the bound', () => {
    const start = 'Nov 23 14:09:01 mail dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<'
    const body = 'rip=203.0.113.7, lip=192.0.2.1, '.repeat(2048)
    for (const mode of getPreset('dovecot')!.modes) {
      const config = load('dovecot', mode)
      for (const f of config.streams.s.filters) {
        const compiled = compileFilter(f, config.patterns)
        for (const end of [',x', ', rip=999.1.1.1', ', rip=', ',']) {
          let ms = Infinity
          for (let k = 0; k < 3; k++) {
            const t0 = performance.now()
            compiled.match(start + body + end, 0)
            ms = Math.min(ms, performance.now() - t0)
          }
          assert.ok(ms < BOUND_MS, `${f.id}: ${ms.toFixed(1)} ms on …${JSON.stringify(end)}`)
        }
      }
    }
  })
})

/**
 * `palisade import fail2ban` on Debian 12's shipped fail2ban 1.0.2 configuration
 * (test/fixtures/fail2ban/debian-12: jail.conf, paths-*.conf and jail.d/defaults-debian.conf as
 * the package installs them) with an administrator's jail.local enabling ten jails.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { parseConfig } from '../../../src/config/index.ts'
import { importFail2ban } from '../../../src/import/fail2ban/index.ts'
import { parseIni } from '../../../src/import/fail2ban/ini.ts'
import { fail2banSeconds } from '../../../src/import/fail2ban/time.ts'
import { cli } from '../../helpers/daemon.ts'

const DIR = join(import.meta.dirname, '../../fixtures/fail2ban/debian-12')

test('ten enabled jails become streams, with fail2ban\'s layering and interpolation', async () => {
  const r = await importFail2ban(DIR)
  assert.deepEqual([...r.jails].sort(), ['apache-auth', 'dovecot', 'gitea', 'nginx-botsearch', 'nginx-http-auth', 'nginx-limit-req', 'postfix', 'pure-ftpd', 'recidive', 'sshd'])
  const s = r.config.streams as Record<string, Record<string, unknown>>
  // jail.d/defaults-debian.conf enables sshd; jail.local sets its mode and the systemd backend
  assert.equal(s.sshd.preset, 'sshd')
  assert.equal(s.sshd.mode, 'aggressive')
  assert.equal(s.sshd.retry, 3, 'jail maxretry beats DEFAULT')
  assert.equal(s.sshd.retryperiod, '15m', 'jail.local DEFAULT findtime beats jail.conf DEFAULT')
  assert.equal(s.sshd.ban, '1h')
  assert.ok(Array.isArray((s.sshd.journal as { matches: string[] }).matches), 'backend systemd reads the journal')
  // %(apache_error_log)s from paths-common.conf, a glob
  assert.equal(s['apache-auth'].file, '/var/log/apache2/*error.log')
  // a multi-line logpath: one stream per file
  assert.equal(s['nginx-limit-req'].file, '/var/log/nginx/error.log')
  assert.equal(s['nginx-limit-req-2'].file, '/var/log/nginx/other-error.log')
  // `filter = postfix[mode=…]` via %(mode)s in the jail
  assert.equal(s.postfix.mode, 'aggressive')
  assert.equal(s.recidive.ban, '1000d', 'bantime -1: the longest ban Palisade holds')
  assert.equal(s.recidive.file, undefined, 'not fail2ban\'s own log')
  assert.deepEqual(r.config.allow, ['127.0.0.1/8', '::1', '192.0.2.0/24', '198.51.100.7'])
  assert.deepEqual(r.config.escalation, { factor: 2, max: '35d' })
})

test('what cannot be carried over is listed, located, with why', async () => {
  const r = await importFail2ban(DIR)
  const text = r.notes.map(n => `${n.where}: ${n.what}: ${n.why}`).join('\n')
  assert.match(text, /jail\.local:\d+: jail apache-auth: action sendmail-whois-lines: .*not translated/)
  assert.match(text, /ignoreip office\.example\.org: .*host names/)
  assert.match(text, /jail dovecot: ignoreip 198\.51\.100\.7: .*global/)
  assert.doesNotMatch(text, /\bports? of\b|\bport = /, 'every jail\'s port and protocol became ports:/protocol:')
  assert.match(text, /jail recidive: bantime = -1/)
})

test('the printed configuration passes the same validation as test-config', async () => {
  const r = await importFail2ban(DIR)
  const config = parseConfig([{ file: 'imported.yml', text: r.yaml, format: 'yaml' }], { isRoot: true, cwd: DIR })
  assert.equal(Object.keys(config.streams).length, 11)
  const res = await cli(['import', 'fail2ban', DIR])
  assert.equal(res.code, 0, res.stderr)
  assert.equal(res.stdout.trim(), r.yaml.trim())
  assert.match(res.stderr, /10 jail\(s\) imported/)
  const missing = await cli(['import', 'fail2ban', join(DIR, 'nope')])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /no jail\.conf or jail\.local/)
})

test('a filter without a preset is reported, not guessed', async () => {
  const { translateJails } = await import('../../../src/import/fail2ban/translate.ts')
  const ini = parseIni('jail.local', '[myapp]\nenabled = true\nfilter = myapp-auth\nlogpath = /var/log/myapp.log\n')
  const t = translateJails({ defaults: ini.defaults, sections: ini.sections, files: ['jail.local'] })
  assert.deepEqual(t.jails, [])
  assert.match(t.notes[0].what, /filter myapp-auth not imported/)
  assert.equal(t.notes[0].where, 'jail.local:3')
})

test('ini syntax: continuation lines, inline ; comments, case of option names', () => {
  const ini = parseIni('x.conf', '[INCLUDES]\nbefore = a.conf\n\n[DEFAULT]\nBanTime = 1h ; one hour\n# comment\n[j]\nlogpath = /a\n  /b\n')
  assert.deepEqual(ini.before, ['a.conf'])
  assert.equal(ini.defaults.get('bantime')?.value, '1h')
  assert.equal(ini.sections.get('j')?.get('logpath')?.value, '/a\n/b')
})

test('fail2ban time values', () => {
  assert.equal(fail2banSeconds('600'), 600)
  assert.equal(fail2banSeconds('10m'), 600)
  assert.equal(fail2banSeconds('1h 30m'), 5400)
  assert.equal(fail2banSeconds('2 days'), 172_800)
  assert.equal(fail2banSeconds('1w'), 604_800)
  assert.equal(fail2banSeconds('-1'), Infinity)
  assert.equal(fail2banSeconds('soon'), null)
})

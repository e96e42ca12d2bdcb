import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { parseConfig } from '../../../src/config/index.ts'
import { importFail2ban } from '../../../src/import/fail2ban/index.ts'
import { parseIni } from '../../../src/import/fail2ban/ini.ts'
import { translateJails } from '../../../src/import/fail2ban/translate.ts'

/** A jail's `port` and `protocol` become the stream's `ports:` and `protocol:` (docs/configuration.md). */
const DIR = join(import.meta.dirname, '../../fixtures/fail2ban/debian-12')

function jails (text: string): ReturnType<typeof translateJails> {
  const ini = parseIni('jail.local', text)
  return translateJails({ defaults: ini.defaults, sections: ini.sections, files: ['jail.local'] })
}

test('Debian\'s jails keep their ports and fail2ban\'s default protocol, and load with those scopes', async () => {
  const r = await importFail2ban(DIR)
  const s = r.config.streams as Record<string, Record<string, unknown>>
  assert.deepEqual([s.sshd.ports, s.sshd.protocol], [['ssh'], 'tcp'])
  assert.deepEqual(s['nginx-http-auth'].ports, ['http', 'https'])
  assert.deepEqual(s.postfix.ports, ['smtp', 465, 'submission'])
  assert.deepEqual(s['pure-ftpd'].ports, ['ftp', 'ftp-data', 'ftps', 'ftps-data'])
  // recidive bans with banaction_allports: every port of the protocol
  assert.deepEqual([s.recidive.ports, s.recidive.protocol], [undefined, 'tcp'])
  assert.doesNotMatch(r.yaml, /&a\d|\*a\d/, 'no YAML aliases between streams')
  const config = parseConfig([{ file: 'imported.yml', text: r.yaml, format: 'yaml' }], { isRoot: true, cwd: DIR })
  const scope = (stream: string) => config.streams[stream].filters[0].scope
  assert.deepEqual(scope('sshd'), { protocols: ['tcp'], ports: [[22, 22]] })
  assert.deepEqual(scope('dovecot'), { protocols: ['tcp'], ports: [[110, 110], [143, 143], [465, 465], [587, 587], [993, 993], [995, 995], [4190, 4190]] })
  assert.deepEqual(scope('recidive'), { protocols: ['tcp'], ports: [] })
})

test('ranges, protocol udp and all, allports actions; what cannot be read widens the ban and is noted', () => {
  const t = jails(`[DEFAULT]
protocol = tcp
[sshd]
enabled = true
port = 2222, 8000:8100
[dropbear]
enabled = true
port = 22
protocol = udp
[postfix]
enabled = true
port = smtp,weird-service
protocol = all
[nginx-http-auth]
enabled = true
port = http,https
banaction = nftables-allports
[apache-auth]
enabled = true
port = 0:65535
protocol = icmp
`)
  const s = t.config.streams as Record<string, Record<string, unknown>>
  assert.deepEqual([s.sshd.ports, s.sshd.protocol], [[2222, '8000-8100'], 'tcp'])
  assert.deepEqual([s.dropbear.ports, s.dropbear.protocol], [[22], 'udp'])
  assert.deepEqual([s.postfix.ports, s.postfix.protocol], [undefined, undefined], 'an unknown name: every port, every protocol')
  assert.deepEqual([s['nginx-http-auth'].ports, s['nginx-http-auth'].protocol], [undefined, 'tcp'])
  assert.deepEqual([s['apache-auth'].ports, s['apache-auth'].protocol], [undefined, undefined])
  const notes = t.notes.map(n => `${n.where}: ${n.what}: ${n.why}`).join('\n')
  assert.match(notes, /^jail\.local:12: jail postfix: port = smtp,weird-service: weird-service: not a port number or a service name Palisade knows; this jail's bans drop every port$/m)
  assert.match(notes, /^jail\.local:21: jail apache-auth: protocol = icmp: .*drop every protocol$/m)
  const config = parseConfig([{ file: 'imported.yml', text: stringify(t.config), format: 'yaml' }], { isRoot: true, cwd: '/' })
  assert.deepEqual(config.streams.sshd.filters[0].scope, { protocols: ['tcp'], ports: [[2222, 2222], [8000, 8100]] })
})

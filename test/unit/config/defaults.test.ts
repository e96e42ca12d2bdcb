import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { availableParallelism } from 'node:os'
import { parseConfig } from '../../../src/config/index.ts'
import { IP_REGEX } from '../../../src/config/index.ts'
import { isIP } from 'node:net'

const yaml = (text: string, env = { isRoot: false, cwd: '/home/u' }) =>
  parseConfig([{ file: '/etc/palisade/palisade.yml', text, format: 'yaml' }], env)

const MIN = `patterns: {ip: {type: ip}}
streams:
  ssh:
    unit: ssh
    filters:
      f: {regex: ['from <ip>'], ban: 1h}
`

test('defaults: paths by user, sections, filters; lists never undefined', () => {
  const c = yaml(MIN)
  assert.equal(c.state, '/home/u/.palisade')
  assert.equal(c.socket, '/home/u/.palisade/palisade.sock')
  const root = yaml(MIN, { isRoot: true, cwd: '/' })
  assert.equal(root.state, '/var/lib/palisade')
  assert.equal(root.socket, '/run/palisade/palisade.sock')
  assert.ok(c.concurrency >= 1)
  assert.deepEqual(c.firewall, { backend: 'auto', hooks: ['input'], keepOnStop: false, reconcileInterval: 60_000, table: 'palisade', command: { ban: [], unban: [] } })
  assert.equal(c.escalation, null)
  assert.equal(c.federation, null)
  assert.equal(c.feed, null)
  assert.deepEqual(c.trust, {
    threshold: 2,
    quorum: 2,
    window: 86_400_000,
    banFor: 86_400_000,
    localWeight: 2,
    maxReportsPerPeerPerHour: 1000,
    maxRemoteBans: 100_000,
    honorRetractions: true,
    minPrefix4: 24,
    minPrefix6: 48,
    peers: []
  })
  assert.deepEqual(c.limits, { maxTrackedKeys: 100_000, maxLineBytes: 16_384, actionTimeout: 60_000 })
  assert.deepEqual(c.log, { level: 'info', format: 'auto' })
  assert.deepEqual([c.start, c.stop, c.allow], [[], [], []])
  const p = c.patterns.ip
  assert.deepEqual([p.ignore, p.ignoreregex, p.ignorecidr, p.ipv4mask, p.ipv6mask, p.type], [[], [], [], 32, 128, 'ip'])
  const s = c.streams.ssh
  assert.deepEqual(s.source, { kind: 'journal', matches: ['_SYSTEMD_UNIT=ssh.service'] })
  const f = s.filters[0]
  assert.deepEqual({ ...f, actions: f.actions }, {
    id: 'ssh.f', stream: 'ssh', name: 'f', regex: ['from <ip>'], patterns: ['ip'], retry: 1, retryperiod: 0,
    duplicate: 'extend', actions: [], ban: 3_600_000, share: false
  })
})

test('sections given: relative paths, federation defaults, share default, localWeight = threshold', () => {
  const c = yaml(`${MIN}state: ../var/pal
socket: run/pal.sock
escalation: {factor: 3}
federation: {collective: chatons, psk: keys/swarm.key}
trust: {threshold: 3, peers: [{key: 12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA}]}
feed: {}
allow: [192.0.2.7/24, "::ffff:198.51.100.1"]
concurrency: 0
`)
  assert.equal(c.state, '/etc/var/pal')
  assert.equal(c.socket, '/etc/palisade/run/pal.sock')
  assert.deepEqual(c.escalation, { factor: 3, max: 30 * 86_400_000, remember: 30 * 86_400_000 })
  assert.deepEqual(c.federation, {
    collective: 'chatons', listen: ['/ip4/0.0.0.0/tcp/4711'], bootstrap: [], open: false,
    psk: '/etc/palisade/keys/swarm.key', redialInterval: 30_000, maxClockSkew: 300_000
  })
  assert.equal(c.trust.localWeight, 3)
  assert.deepEqual(c.trust.peers, [
    { key: '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA', weight: 1, shadow: false }
  ])
  assert.deepEqual(c.feed, { listen: '127.0.0.1:4712' })
  assert.deepEqual(c.allow, ['192.0.2.0/24', '198.51.100.1'])
  assert.equal(c.concurrency, availableParallelism(), 'reaction: concurrency 0 means one action per CPU')
  assert.equal(c.streams.ssh.filters[0].share, true, 'filters are shared by default once federation is configured')
})

test('stream sources: file, file-else-journal, unit with a dot, journal matches', () => {
  const c = yaml(`patterns: {ip: {type: ip}}
streams:
  a: {file: /var/log/auth.log, unit: ssh.service, filters: {f: {regex: ['<ip>'], ban: 1h}}}
  b: {file: logs/x.log, filters: {f: {regex: ['<ip>'], ban: 1h}}}
  c: {journal: {matches: [_SYSTEMD_UNIT=nginx.service, +, SYSLOG_IDENTIFIER=nginx]}, filters: {f: {regex: ['<ip>'], ban: 1h}}}
  d: {cmd: [tail, -F, /x], filters: {f: {regex: ['<ip>'], ban: 1h}}}
`)
  assert.deepEqual(c.streams.a.source, { kind: 'file', path: '/var/log/auth.log', orJournal: ['_SYSTEMD_UNIT=ssh.service'] })
  assert.deepEqual(c.streams.a.cmd, ['tail', '-n0', '-F', '/var/log/auth.log'])
  assert.deepEqual(c.streams.b.source, { kind: 'file', path: join('/etc/palisade', 'logs/x.log') })
  assert.deepEqual(c.streams.c.source, { kind: 'journal', matches: ['_SYSTEMD_UNIT=nginx.service', '+', 'SYSLOG_IDENTIFIER=nginx'] })
  assert.deepEqual(c.streams.d.source, { kind: 'command' })
  assert.deepEqual(c.streams.d.cmd, ['tail', '-F', '/x'])
})

test('stream-level retry/retryperiod/ban are defaults for its filters; filter values win', () => {
  const c = yaml(`patterns: {ip: {type: ip}}
streams:
  s:
    cmd: [cat]
    retry: 5
    retryperiod: 10m
    ban: 2h
    filters:
      a: {regex: ['<ip>']}
      b: {regex: ['<ip>'], retry: 2, ban: 1d}
`)
  const [a, b] = c.streams.s.filters
  assert.deepEqual([a.retry, a.retryperiod, a.ban], [5, 600_000, 7_200_000])
  assert.deepEqual([b.retry, b.retryperiod, b.ban], [2, 600_000, 86_400_000])
})

test('link filters: regexes without a pattern are allowed; patterns include link.from ones', () => {
  const c = yaml(`patterns: {ip: {type: ip}}
streams:
  s:
    cmd: [cat]
    filters:
      f:
        regex: ['sshd\\[\\d+\\]: Disconnected: Too many authentication failures']
        ban: 1h
        link: {id: 'sshd\\[(?<id>\\d+)\\]', from: ['Connection from <ip> port'], ttl: 5m}
`)
  const f = c.streams.s.filters[0]
  assert.deepEqual(f.patterns, ['ip'])
  assert.deepEqual(f.link, { id: 'sshd\\[(?<id>\\d+)\\]', from: ['Connection from <ip> port'], ttl: 300_000 })
})

test('the result is deep-frozen', () => {
  const c = yaml(MIN)
  assert.ok(Object.isFrozen(c))
  assert.ok(Object.isFrozen(c.streams.ssh.filters[0].regex))
  assert.ok(Object.isFrozen(c.patterns.ip.ignore))
  assert.throws(() => { (c.streams.ssh.filters as unknown as unknown[]).push(1) }, TypeError)
  assert.throws(() => { (c.firewall as { table: string }).table = 'x' }, TypeError)
})

test('built-in IP regex takes whole addresses and has no capture group', () => {
  const re = new RegExp(`from (?<ip>${IP_REGEX})$`)
  for (const ip of ['203.0.113.7', '2001:db8::1', '::1', '::ffff:1.2.3.4', '2001:db8:1:2:3:4:5:6', 'fe80::a:b']) {
    const m = re.exec(`from ${ip}`)
    assert.equal(m?.groups?.ip, ip, ip)
    assert.notEqual(isIP(m.groups.ip), 0)
  }
  assert.equal(new RegExp(`(?:${IP_REGEX})|`).exec('')?.length, 1, 'no capture groups')
})

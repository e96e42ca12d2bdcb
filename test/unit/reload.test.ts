import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../src/config/index.ts'
import type { Config } from '../../src/config/types.ts'
import { describePlan, planReload, same } from '../../src/reload.ts'

const env = { isRoot: false, cwd: '/tmp' }
const BASE = `
state: /tmp/pal-state
socket: /tmp/pal.sock
patterns:
  ip: {type: ip}
  user: {regex: '\\w+'}
streams:
  ssh:
    cmd: [tail, -F, /var/log/auth.log]
    filters:
      fail:
        regex: ['Failed password for .* from <ip> port']
        retry: 3
        retryperiod: 10m
        ban: 1h
  web:
    cmd: [tail, -F, /var/log/nginx.log]
    filters:
      scan:
        regex: ['<ip> .* 404']
        retry: 5
        retryperiod: 1m
        ban: 10m
      login:
        regex: ['<ip> login <user> failed']
        retry: 3
        retryperiod: 1m
        ban: 10m
allow: [198.51.100.3]
firewall: {backend: nftables, table: pal, hooks: [input]}
log: {level: info}
`
const cfg = (text: string): Config => parseConfig([{ file: '/etc/palisade.yml', text, format: 'yaml' }], env)
const NFT = { firewallTable: true }

test('an identical configuration changes nothing', () => {
  const p = planReload(cfg(BASE), cfg(BASE), NFT)
  assert.deepEqual(p.streams, { added: [], removed: [], changed: [], unchanged: ['ssh', 'web'], removedFilters: [] })
  assert.equal(p.allow || p.trust || p.firewallTable || p.logLevel || p.reconcileInterval, false)
  assert.deepEqual(p.restart, [])
  assert.equal(describePlan(p), 'nothing changed')
})

test('streams added, removed and changed; counters of removed filters are named', () => {
  const next = BASE
    .replace('retry: 5', 'retry: 4') // web changed
    .replace(/ {2}ssh:\n(?: {4}.*\n)+/, '') // ssh removed
    .replace('allow:', `  mail:
    cmd: [tail, -F, /var/log/mail.log]
    filters:
      relay:
        regex: ['relay denied from <ip>']
        retry: 1
        ban: 1h
allow:`)
  const p = planReload(cfg(BASE), cfg(next), NFT)
  assert.deepEqual(p.streams, { added: ['mail'], removed: ['ssh'], changed: ['web'], unchanged: [], removedFilters: ['ssh.fail'] })
  assert.match(describePlan(p), /streams added: mail; streams removed: ssh; streams restarted: web/)
})

test('a filter dropped from a kept stream restarts the stream and drops its counters', () => {
  const next = BASE.replace(/ {6}login:\n(?: {8}.*\n)+/, '')
  const p = planReload(cfg(BASE), cfg(next), NFT)
  assert.deepEqual(p.streams.changed, ['web'])
  assert.deepEqual(p.streams.removedFilters, ['web.login'])
})

test('a changed pattern restarts exactly the streams whose filters use it', () => {
  const p = planReload(cfg(BASE), cfg(BASE.replace("user: {regex: '\\w+'}", "user: {regex: '[a-z]+'}")), NFT)
  assert.deepEqual(p.streams.changed, ['web'])
  assert.deepEqual(p.streams.unchanged, ['ssh'])
})

test('allowlist, never-ban, trust and log level are applied', () => {
  const next = BASE.replace('allow: [198.51.100.3]', 'allow: [198.51.100.3, 203.0.113.0/24]\nneverBan: {private: false}\ntrust: {threshold: 3}')
    .replace('level: info', 'level: debug')
  const p = planReload(cfg(BASE), cfg(next), NFT)
  assert.equal(p.allow, true)
  assert.equal(p.trust, true)
  assert.equal(p.logLevel, true)
  assert.deepEqual(p.restart, [])
  assert.deepEqual(p.effective.allow, ['198.51.100.3', '203.0.113.0/24'])
  assert.equal(p.effective.trust.threshold, 3)
  assert.equal(p.effective.log.level, 'debug')
})

test('never-ban alone counts as an allowlist change', () => {
  assert.equal(planReload(cfg(BASE), cfg(BASE + 'neverBan: {cgnat: false}\n'), NFT).allow, true)
})

test('restart-only settings keep their running value and are reported, never half-applied', () => {
  const next = BASE.replace('state: /tmp/pal-state', 'state: /tmp/other-state').replace('socket: /tmp/pal.sock', 'socket: /tmp/other.sock')
    .replace('{backend: nftables, table: pal, hooks: [input]}', '{backend: iptables, table: other, hooks: [input, forward]}') +
    'federation: {collective: c1, listen: [/ip4/127.0.0.1/tcp/4711]}\nlog: {level: info, format: json}\n'
  const running = cfg(BASE)
  const p = planReload(running, cfg(next.replace(/\nlog: \{level: info\}\n/, '\n')), NFT)
  assert.deepEqual([...p.restart].sort(), ['federation', 'firewall.backend', 'firewall.table', 'log.format', 'socket', 'state'])
  assert.equal(p.effective.state, running.state)
  assert.equal(p.effective.socket, running.socket)
  assert.equal(p.effective.federation, null)
  assert.equal(p.effective.firewall.backend, 'nftables')
  assert.equal(p.effective.firewall.table, 'pal')
  assert.equal(p.effective.log.format, running.log.format)
  // hooks are not restart-only on a backend that rebuilds its table
  assert.equal(p.firewallTable, true)
  assert.deepEqual(p.effective.firewall.hooks, ['input', 'forward'])
  assert.match(describePlan(p), /needs a restart \(running value kept\): .*state/)
})

test('with federation running, the trust keys it read at start need a restart; the others apply', () => {
  const next = BASE + 'trust: {window: 2h, minPrefix4: 16, threshold: 4}\n'
  const running = cfg(BASE)
  const p = planReload(running, cfg(next), { ...NFT, federation: true })
  assert.deepEqual(p.restart, ['trust.window', 'trust.minPrefix4'])
  assert.equal(p.effective.trust.window, running.trust.window)
  assert.equal(p.effective.trust.threshold, 4)
  assert.equal(p.trust, true)
  // standalone: nothing holds them, all apply
  assert.deepEqual(planReload(running, cfg(next), NFT).restart, [])
})

test('hooks need a restart on a backend that cannot rebuild its table', () => {
  const next = BASE.replace('hooks: [input]', 'hooks: [input, forward]')
  const p = planReload(cfg(BASE), cfg(next), { firewallTable: false })
  assert.equal(p.firewallTable, false)
  assert.deepEqual(p.restart, ['firewall.hooks'])
  assert.deepEqual(p.effective.firewall.hooks, ['input'])
})

test('a key reload does not know keeps its running value', () => {
  const running = cfg(BASE)
  const next = { ...cfg(BASE), futureKey: { x: 1 } } as unknown as Config
  const p = planReload(running, next, NFT)
  assert.deepEqual(p.restart, ['futureKey'])
  assert.equal('futureKey' in p.effective, false)
})

test('the effective configuration is frozen', () => {
  const p = planReload(cfg(BASE), cfg(BASE.replace('level: info', 'level: warn')), NFT)
  assert.equal(Object.isFrozen(p.effective), true)
  assert.equal(Object.isFrozen(p.effective.log), true)
})

test('same() is structural', () => {
  assert.equal(same({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), true)
  assert.equal(same({ a: [1, 2] }, { a: [2, 1] }), false)
  assert.equal(same({ a: 1 }, { a: 1, b: undefined }), false)
  assert.equal(same([], {}), false)
  assert.equal(same(null, {}), false)
})

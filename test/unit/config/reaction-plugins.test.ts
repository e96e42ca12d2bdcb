import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { loadConfig } from '../../../src/config/index.ts'
import { issuesOf, tempDir, userEnv } from './helpers.ts'

/** reaction ≥ 2.3 configurations (`plugins:`, `type:`, `options:`) load with reaction's meaning. */
const fixtures = join(import.meta.dirname, '../../fixtures/reaction')
const env = { isRoot: true, cwd: '/' }
const H = 3_600_000
const run = promisify(execFile)
const root = join(import.meta.dirname, '../../..')

test('the NixOS module\'s `plugins:` loads; an ipset add/del pair becomes `ban:` on the iptables backend', async () => {
  const c = await loadConfig(join(fixtures, 'nixos-plugins.yml'), env)
  const f = c.streams.ssh.filters[0]
  assert.equal(f.ban, 48 * H, 'the del action\'s `after` is the ban duration')
  assert.deepEqual(f.actions, [], 'no command is left to run: the backend bans')
  assert.equal(c.firewall.backend, 'iptables')
  assert.ok(c.notes?.some(n => n.includes('failedlogin') && n.includes('ban: 2d')), String(c.notes))
  assert.ok(c.notes?.some(n => n.startsWith('plugins.ipset: provided natively')), String(c.notes))
})

test('nftables add/delete with `after: 6h`, `type: cmd`, `millis` and state_rotation_interval', async () => {
  const c = await loadConfig(join(fixtures, 'nftables-plugin.yml'), env)
  const f = c.streams.web.filters[0]
  assert.equal(f.ban, 6 * H)
  assert.deepEqual(f.actions.map(a => [a.name, a.cmd[0], a.after]), [['log', 'logger', 1500]])
  assert.equal(c.firewall.backend, 'nftables')
  assert.deepEqual(c.streams.web.source, { kind: 'command' })
  assert.ok(c.notes?.some(n => n.startsWith('state_rotation_interval: ignored')), String(c.notes))
})

test('a virtual action and its `type: virtual` stream (recidive)', async () => {
  const c = await loadConfig(join(fixtures, 'virtual-recidive.yml'), env)
  assert.deepEqual(c.streams.recidive.source, { kind: 'virtual' })
  const rec = c.streams.ssh.filters[0].actions.find(a => a.name === 'recidive')
  assert.deepEqual(rec?.virtual, { send: 'banned <ip>', to: 'recidive' })
  assert.deepEqual(rec?.cmd, [])
  assert.equal(c.streams.recidive.filters[0].ban, 30 * 24 * H)
})

test('reaction\'s older virtual form (send/to without options) loads too', async () => {
  const t = tempDir()
  const file = t.write('c.yml', `streams:
  ssh:
    cmd: [journalctl, -f]
    filters:
      f:
        regex: ['from <ip>']
        actions:
          rec: { send: '<ip>', to: rec }
  rec:
    type: virtual
    filters:
      g: { regex: ['^<ip>$'], ban: 1h }
patterns: { ip: { type: ip } }
`)
  const c = await loadConfig(file, userEnv(t.dir))
  assert.deepEqual(c.streams.ssh.filters[0].actions[0].virtual, { send: '<ip>', to: 'rec' })
})

test('a virtual action naming a stream that is not virtual is a located error; so is an uncaptured pattern', async () => {
  const t = tempDir()
  const file = t.write('c.yml', `patterns: { ip: { type: ip } }
streams:
  ssh:
    cmd: [journalctl, -f]
    filters:
      f:
        regex: ['from <ip>']
        actions:
          rec:
            type: virtual
            options: { send: '<ip>', to: ssh }
          rec2:
            type: virtual
            options: { send: '<user>', to: v }
  v:
    type: virtual
    filters:
      g: { regex: ['^<ip>$'], ban: 1h }
`)
  const issues = await issuesOf(file, userEnv(t.dir))
  assert.ok(issues.some(i => i.startsWith(`${file}:11:42: streams.ssh.filters.f.actions.rec.options.to: \`ssh\` is not a \`type: virtual\` stream (virtual streams: v)`)), issues.join('\n'))
  assert.ok(issues.some(i => i.includes('actions.rec2.options.send: `<user>` is not a pattern this filter captures')), issues.join('\n'))
})

test('a plugin Palisade does not provide is refused where it is named, listing the ones it knows', async () => {
  const t = tempDir()
  const file = t.write('c.yml', `plugins:
  cluster: { path: /usr/bin/reaction-plugin-cluster }
patterns: { ip: { type: ip } }
streams:
  pg:
    type: postgresql
    filters: { f: { regex: ['<ip>'], ban: 1h } }
  ssh:
    cmd: [journalctl, -f]
    filters:
      f:
        regex: ['from <ip>']
        actions:
          sync: { type: cluster, options: {} }
`)
  const issues = await issuesOf(file, userEnv(t.dir))
  const known = 'Palisade provides reaction\'s plugins virtual, ipset, nftables natively'
  assert.ok(issues.some(i => i.startsWith(`${file}:2:3: plugins.cluster: unknown plugin \`cluster\`; ${known}`)), issues.join('\n'))
  assert.ok(issues.some(i => i.startsWith(`${file}:6:11: streams.pg.type: unknown plugin \`postgresql\``)), issues.join('\n'))
  assert.ok(issues.some(i => i.startsWith(`${file}:14:25: streams.ssh.filters.f.actions.sync.type: unknown plugin \`cluster\``)), issues.join('\n'))
  assert.equal(issues.length, 3, issues.join('\n'))
})

test('test-config (the real CLI) prints what each plugin action became', async () => {
  const { stdout } = await run(join(root, 'node_modules/.bin/node'), [join(root, 'bin/palisade.ts'), 'test-config', '-c', join(fixtures, 'nixos-plugins.yml')])
  assert.match(stdout, /^# note: streams\.ssh\.filters\.failedlogin: actions ban, unban \(ipset set `reaction`\) became `ban: 2d`/m)
  assert.match(stdout, /^# note: firewall\.backend: iptables/m)
  assert.match(stdout, /^files:/m)
})

test('OpenWrt\'s layout: plugins in a file of their own, nftables set options, a set timeout', async () => {
  const c = await loadConfig(join(fixtures, 'openwrt'), env)
  assert.equal(c.streams.ssh.filters[0].ban, 12 * H, 'the delete action\'s `after`')
  assert.equal(c.streams.luci.filters[0].ban, 12 * H, 'no delete action: the set\'s timeout')
  assert.equal(c.firewall.backend, 'nftables')
  assert.ok(c.notes?.some(n => n.includes('hooks, version ignored')), String(c.notes))
})

test('`plugins:` maps from several files merge; one plugin declared twice is an error naming both', async () => {
  const t = tempDir()
  t.write('conf/a.yml', 'plugins: { virtual: { path: /usr/bin/reaction-plugin-virtual } }\npatterns: { ip: { type: ip } }\nstreams: { s: { cmd: [cat], filters: { f: { regex: [\'<ip>\'], ban: 1h } } } }\n')
  t.write('conf/b.yml', 'plugins: { ipset: { path: /usr/bin/reaction-plugin-ipset } }\n')
  const c = await loadConfig(join(t.dir, 'conf'), userEnv(t.dir))
  assert.equal(c.notes?.filter(n => n.startsWith('plugins.')).length, 2)
  const a = join(t.dir, 'conf/a.yml')
  const b = t.write('conf/b.yml', 'plugins: { virtual: { path: /other } }\n')
  assert.deepEqual(await issuesOf(join(t.dir, 'conf'), userEnv(t.dir)), [`${b}:1:12: plugins.virtual: plugin \`virtual\` is defined twice: here and at ${a}:1:12`])
})

test('reaction\'s Jsonnet form of the virtual chain (banFor() + a virtual action)', async (t) => {
  try { await run('jsonnet', ['--version']) } catch { t.skip('jsonnet not installed'); return }
  const c = await loadConfig(join(fixtures, 'virtual.jsonnet'), env)
  // jsonnet prints object keys sorted
  const names = c.streams.ssh.filters[0].actions.map(a => [a.name, a.virtual?.to ?? a.cmd[0]])
  assert.deepEqual(names, [['ban', 'ip46tables'], ['recidive', 'recidive'], ['unban', 'ip46tables']])
  assert.deepEqual(c.streams.recidive.source, { kind: 'virtual' })
  assert.equal(c.streams.recidive.filters[0].actions.find(a => a.name === 'unban')?.after, 30 * 24 * H)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { issuesOf, tempDir, SSH_STREAM } from './helpers.ts'

/** Each message is checked with its exact file:line:col, from a real file. */
const { write } = tempDir()

test('a filter with several problems reports all of them, each located', async () => {
  const f = write('many.yml', `patterns:
  ip:
    type: ip
streams:
  ssh:
    cmd: [journalctl, -fu, sshd.service]
    filters:
      fail:
        regex:
          - 'Failed password for .* from <ip>'
          - 'bad <ipp> here'
          - 'no pattern at all'
          - 'broken ( <ip>'
        retry: three
        retryperod: 6h
        ban: 48h
`)
  assert.deepEqual(await issuesOf(f), [
    `${f}:11:13: streams.ssh.filters.fail.regex.1: unknown pattern \`<ipp>\`; did you mean \`<ip>\`?`,
    `${f}:12:13: streams.ssh.filters.fail.regex.2: regex contains no pattern such as <ip>: nothing to count or ban (add a <pattern>, or \`link\` to attribute it)`,
    `${f}:13:13: streams.ssh.filters.fail.regex.3: invalid regex: Unterminated group`,
    `${f}:14:16: streams.ssh.filters.fail.retry: expected a positive integer, got "three"`,
    `${f}:15:9: streams.ssh.filters.fail.retryperod: unknown key \`retryperod\`; did you mean \`retryperiod\`?`
  ])
})

test('unknown pattern without a close name lists the defined ones', async () => {
  const f = write('unknown.yml', `patterns:
  ip: {type: ip}
streams:
  s:
    cmd: [cat]
    filters:
      f: {regex: ['user <username> from <ip>'], ban: 1h}
`)
  assert.deepEqual(await issuesOf(f), [
    `${f}:7:19: streams.s.filters.f.regex.0: unknown pattern \`<username>\` (defined patterns: ip)`
  ])
})

test('actions: argv, placeholders the filter captures, ipv4only with ipv6only', async () => {
  const f = write('actions.yml', `patterns:
  ip: {type: ip}
  user: {regex: '[a-z]+'}
streams:
  s:
    cmd: [cat]
    filters:
      f:
        regex: ['from <ip>']
        actions:
          ban:
            cmd: [echo, <ip>, <user>]
            ipv4only: true
            ipv6only: true
          unban:
            cmd: "echo <ip>"
            after: 10
          empty:
            cmd: []
          nocmd:
            after: 1h
`)
  assert.deepEqual(await issuesOf(f), [
    `${f}:12:31: streams.s.filters.f.actions.ban.cmd.2: \`<user>\` is not a pattern this filter captures (it captures: <ip>)`,
    `${f}:14:13: streams.s.filters.f.actions.ban.ipv6only: \`ipv4only\` and \`ipv6only\` cannot both be true`,
    `${f}:16:18: streams.s.filters.f.actions.unban.cmd: expected a command as a list of strings such as ["nft", "add", "element", ...], got "echo <ip>" (commands never go through a shell)`,
    `${f}:17:20: streams.s.filters.f.actions.unban.after: expected a duration such as "30s", "10m", "6h", "1h30m" or "2 days", got 10 (a bare number has no unit: write "10m", "6h"...)`,
    `${f}:19:18: streams.s.filters.f.actions.empty.cmd: expected a non-empty list of strings (argv), got a list`,
    `${f}:21:13: streams.s.filters.f.actions.nocmd: missing required key \`cmd\``
  ])
})

test('retry > 1 needs retryperiod; durations parse with units', async () => {
  const f = write('retry.yml', `patterns: {ip: {type: ip}}
streams:
  s:
    cmd: [cat]
    filters:
      a: {regex: ['<ip>'], retry: 3, ban: 1h}
      b: {regex: ['<ip>'], retry: 0, ban: 1h}
      c: {regex: ['<ip>'], retry: 2, retryperiod: 'soon', ban: '1h30m'}
      d: {regex: ['<ip>'], retry: 2, retryperiod: '30 minutes', ban: '2 days'}
`)
  assert.deepEqual(await issuesOf(f), [
    `${f}:6:35: streams.s.filters.a.retry: retry 3 needs \`retryperiod\` (the window in which the 3 matches must happen)`,
    `${f}:7:35: streams.s.filters.b.retry: expected a positive integer, got 0`,
    `${f}:8:51: streams.s.filters.c.retryperiod: expected a duration such as "30s", "10m", "6h", "1h30m" or "2 days", got "soon"`
  ])
})

test('pattern checks: masks, ignore entries, ignorecidr, missing regex, non-IP keys', async () => {
  const f = write('patterns.yml', `patterns:
  ip:
    type: ip
    ipv4mask: 33
    ipv6mask: 129
    ignore: [127.0.0.1, nope]
    ignorecidr: [10.0.0.0/8, 10.0.0.0/99]
    ignoreregex: ['(']
  word: {}
  name:
    regex: '[a-z]+'
    ignorecidr: [10.0.0.0/8]
${SSH_STREAM}`)
  assert.deepEqual(await issuesOf(f), [
    `${f}:4:15: patterns.ip.ipv4mask: expected a prefix length from 0 to 32, got 33`,
    `${f}:5:15: patterns.ip.ipv6mask: expected a prefix length from 0 to 128, got 129`,
    `${f}:6:25: patterns.ip.ignore.1: expected an IP address, got "nope" (use \`ignorecidr\` for networks)`,
    `${f}:7:30: patterns.ip.ignorecidr.1: expected a CIDR such as "192.0.2.0/24" or "2001:db8::/32", got "10.0.0.0/99"`,
    `${f}:8:19: patterns.ip.ignoreregex.0: invalid regex: Unterminated group`,
    `${f}:9:9: patterns.word: missing required key \`regex\` (or set \`type: ip\`, \`ipv4\` or \`ipv6\` for the built-in IP regex)`,
    `${f}:12:5: patterns.name.ignorecidr: \`ignorecidr\` only applies to IP patterns (set \`type: ip\`, \`ipv4\` or \`ipv6\`)`
  ])
})

test('unknown keys at every level, with and without a close match', async () => {
  const f = write('keys.yml', `patterns:
  ip: {type: ip, ignores: []}
streams:
  s:
    cmd: [cat]
    filtres: {}
    filters:
      f: {regex: ['<ip>'], ban: 1h}
stat_directory: /tmp/x
frobnicate: 1
`)
  assert.deepEqual(await issuesOf(f), [
    `${f}:2:18: patterns.ip.ignores: unknown key \`ignores\`; did you mean \`ignore\`?`,
    `${f}:6:5: streams.s.filtres: unknown key \`filtres\`; did you mean \`filters\`?`,
    `${f}:9:1: stat_directory: unknown key \`stat_directory\`; did you mean \`state_directory\`?`,
    `${f}:10:1: frobnicate: unknown key \`frobnicate\``
  ])
})

test('stream sources: exactly one of cmd / file / unit / journal', async () => {
  const f = write('sources.yml', `patterns: {ip: {type: ip}}
streams:
  both:
    cmd: [cat]
    file: /var/log/x
    filters: {f: {regex: ['<ip>'], ban: 1h}}
  none:
    filters: {f: {regex: ['<ip>'], ban: 1h}}
  twojournals:
    unit: ssh
    journal: {matches: [_SYSTEMD_UNIT=ssh.service]}
    filters: {f: {regex: ['<ip>'], ban: 1h}}
  badmatch:
    journal: {matches: [ssh]}
    filters: {f: {regex: ['<ip>'], ban: 1h}}
  nofilters:
    cmd: [cat]
`)
  assert.deepEqual(await issuesOf(f), [
    `${f}:4:5: streams.both.cmd: \`cmd\` cannot be combined with \`file\`, \`unit\` or \`journal\`: a stream reads one source`,
    `${f}:8:5: streams.none: a stream needs a source: \`cmd\` (argv), \`file\`, \`unit\` or \`journal\``,
    `${f}:11:5: streams.twojournals.journal: give either \`unit\` or \`journal\`, not both`,
    `${f}:14:25: streams.badmatch.journal.matches.0: expected a journal match FIELD=VALUE such as "_SYSTEMD_UNIT=ssh.service", got "ssh"`,
    `${f}:17:5: streams.nofilters: a stream needs at least one filter (under \`filters\`, or from \`preset\`)`
  ])
})

test('unknown preset lists the known ones; mode without preset', async () => {
  const f = write('preset.yml', `streams:
  web:
    preset: no-such-preset
    file: /var/log/nginx/error.log
  other:
    cmd: [cat]
    mode: aggressive
    filters: {f: {regex: ['x'], ban: 1h}}
`)
  const issues = await issuesOf(f)
  assert.match(issues[0], new RegExp(`^${f}:3:13: streams.web.preset: unknown preset \`no-such-preset\`; (known presets: |no presets are available)`))
  assert.equal(issues[1], `${f}:7:5: streams.other.mode: \`mode\` needs \`preset\``)
})

test('daemon sections: shapes (hooks, factor, threshold, weight)', async () => {
  const f = write('shapes.yml', `${SSH_STREAM}patterns: {ip: {type: ip}}
firewall:
  hooks: [input, output]
escalation: {factor: 1}
trust: {threshold: 0, peers: [{key: abc, weight: -1}]}
`)
  assert.deepEqual(await issuesOf(f), [
    `${f}:10:18: firewall.hooks.1: expected one of input, forward, got "output"`,
    `${f}:11:22: escalation.factor: expected a number > 1, got 1`,
    `${f}:12:20: trust.threshold: expected a number > 0, got 0`,
    `${f}:12:50: trust.peers.0.weight: expected a number >= 0, got -1`
  ])
})

test('daemon sections: command backend, allow, federation, peers, feed, state alias', async () => {
  const f = write('sections.yml', `${SSH_STREAM}patterns: {ip: {type: ip}}
state: /tmp/a
state_directory: /tmp/b
firewall:
  backend: command
  command: {ban: [fw, add, <ip>, <time>]}
allow: [192.0.2.0/24, 2001:db8::/48, not-an-ip]
federation: {collective: ok, listen: [nope]}
trust: {peers: [{key: abc}]}
feed: {listen: localhost}
`)
  assert.deepEqual(await issuesOf(f), [
    `${f}:10:1: state_directory: \`state\` and \`state_directory\` (its reaction name) are both set: keep one`,
    `${f}:13:12: firewall.command: backend \`command\` needs \`command.unban\` (argv with <ip>)`,
    `${f}:13:34: firewall.command.ban.3: unknown placeholder \`<time>\`; the command backend substitutes <ip> and <timeout>`,
    `${f}:14:38: allow.2: expected an IP address or CIDR such as "192.0.2.0/24", got "not-an-ip"`,
    `${f}:15:39: federation.listen.0: expected a multiaddr such as "/ip4/0.0.0.0/tcp/4711", got "nope"`,
    `${f}:16:23: trust.peers.0.key: expected a peer id such as "12D3KooW...", got "abc" (\`palisade peer id\` prints a node's)`,
    `${f}:17:16: feed.listen: expected host:port such as "127.0.0.1:4712" or "[::1]:4712", got "localhost"`
  ])
})

test('YAML syntax errors and a top level that is not a map', async () => {
  const bad = write('syntax.yml', 'streams:\n  ssh: [unclosed\n')
  const issues = await issuesOf(bad)
  assert.equal(issues.length >= 1, true)
  assert.match(issues[0], new RegExp(`^${bad}:\\d+:\\d+: YAML syntax: `))
  const list = write('list.yml', '- a\n- b\n')
  assert.deepEqual(await issuesOf(list), [`${list}:1:1: expected the configuration to be a map of keys, got a list`])
})

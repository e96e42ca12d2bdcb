import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseConfig } from '../../../src/config/index.ts'
import type { FilterConfig } from '../../../src/config/types.ts'

/** `ports:` / `protocol:` on a filter or a stream: what a ban of that filter drops. */
const parse = (text: string) => parseConfig([{ file: '/etc/palisade/scope.yml', text, format: 'yaml' }], { isRoot: false, cwd: '/tmp' })

function filters (text: string): Record<string, FilterConfig> {
  const c = parse(text)
  return Object.fromEntries(Object.values(c.streams).flatMap(s => s.filters).map(f => [f.id, f]))
}

function messages (text: string): string[] {
  try {
    parse(text)
  } catch (err) {
    return (err as { issues: Array<{ where: string, path: string, message: string }> }).issues
      .map(i => `${i.where} ${i.path}: ${i.message}`)
  }
  assert.fail('the configuration loaded')
}

const HEAD = `patterns: {ip: {type: ip}}
streams:
  web:
    cmd: [tail, -F, /var/log/x]
    filters:
`

test('absent ports and protocol: no scope (every port, every protocol)', () => {
  const f = filters(HEAD + "      f: {regex: ['from <ip>'], ban: 1h}\n")
  assert.equal(f['web.f'].scope, undefined)
})

test('numbers, strings, ranges in both spellings and service names; merged and sorted', () => {
  const f = filters(HEAD + "      f: {regex: ['from <ip>'], ban: 1h, ports: [2222, ssh, '8000-8100', '8050:8200', 'http,https'], protocol: tcp}\n")
  assert.deepEqual(f['web.f'].scope, { protocols: ['tcp'], ports: [[22, 22], [80, 80], [443, 443], [2222, 2222], [8000, 8200]] })
})

test('ports without a protocol cover every protocol with ports; a protocol alone covers all its ports', () => {
  const f = filters(HEAD + `      a: {regex: ['a <ip>'], ban: 1h, ports: 53}
      b: {regex: ['b <ip>'], ban: 1h, protocol: udp}
      c: {regex: ['c <ip>'], ban: 1h, ports: 'http,https', protocol: all}
      d: {regex: ['d <ip>'], ban: 1h, protocol: [udp, tcp]}
`)
  assert.deepEqual(f['web.a'].scope, { protocols: ['sctp', 'tcp', 'udp'], ports: [[53, 53]] })
  assert.deepEqual(f['web.b'].scope, { protocols: ['udp'], ports: [] })
  assert.deepEqual(f['web.c'].scope, { protocols: ['sctp', 'tcp', 'udp'], ports: [[80, 80], [443, 443]] })
  assert.deepEqual(f['web.d'].scope, { protocols: ['tcp', 'udp'], ports: [] })
})

test('a stream-level scope applies to a preset\'s filters; a filter\'s own key wins', () => {
  const c = parse(`streams:
  ssh:
    preset: sshd
    file: /var/log/auth.log
    ports: [ssh, 2222]
    protocol: tcp
`)
  const fs = c.streams.ssh.filters
  assert.ok(fs.length > 0)
  for (const f of fs) assert.deepEqual(f.scope, { protocols: ['tcp'], ports: [[22, 22], [2222, 2222]] })
  const own = filters(`patterns: {ip: {type: ip}}
streams:
  web:
    cmd: [tail, -F, /var/log/x]
    ports: 80
    filters:
      f: {regex: ['from <ip>'], ban: 1h, ports: 443}
`)
  assert.deepEqual(own['web.f'].scope?.ports, [[443, 443]])
})

test('bad ports and protocols are located: file:line:col and the dotted path down to the entry', () => {
  const m = messages(HEAD + `      f:
        regex: ['from <ip>']
        ban: 1h
        ports: [22, 0, 70000, '90-80', sshh, 'x-y', true]
        protocol: icmp
      g: {regex: ['g <ip>'], ban: 1h, ports: [], protocol: [tcp, all]}
      h: {regex: ['h <ip>'], ports: 22, actions: {a: {cmd: ['true']}}}
`)
  const want = [
    /^\/etc\/palisade\/scope\.yml:9:21 streams\.web\.filters\.f\.ports\.1: expected a port from 1 to 65535, got 0$/,
    /^\/etc\/palisade\/scope\.yml:9:24 streams\.web\.filters\.f\.ports\.2: expected a port from 1 to 65535, got 70000$/,
    /streams\.web\.filters\.f\.ports\.3: a port range is "low-high" with low <= high, got "90-80"$/,
    /streams\.web\.filters\.f\.ports\.4: unknown service name "sshh": write its port number, or did you mean "ssh"\?$/,
    /streams\.web\.filters\.f\.ports\.5: unknown service name "x-y"/,
    /streams\.web\.filters\.f\.ports\.6: expected a port number, a range "low-high" or a service name, got true$/,
    /^\/etc\/palisade\/scope\.yml:10:19 streams\.web\.filters\.f\.protocol: expected one of tcp, udp, sctp, all, got "icmp"$/,
    /streams\.web\.filters\.g\.ports: expected at least one port/,
    /streams\.web\.filters\.g\.protocol\.1: expected one of tcp, udp, sctp, got "all"$/,
    /streams\.web\.filters\.h\.ports: `ports` limits what the filter's ban drops, but the filter has no `ban: <duration>`$/
  ]
  for (const w of want) assert.ok(m.some(x => w.test(x)), `no message like ${String(w)} in:\n${m.join('\n')}`)
})

test('at most 32 entries per filter', () => {
  const many = Array.from({ length: 33 }, (_, i) => 1000 + 2 * i).join(', ')
  const m = messages(HEAD + `      f: {regex: ['from <ip>'], ban: 1h, ports: [${many}]}\n`)
  assert.ok(m.some(x => /streams\.web\.filters\.f\.ports: at most 32 ports or ranges per filter, got 33/.test(x)), m.join('\n'))
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseSubject, type ParsedSubject } from '../../../src/common/ip.ts'
import type { BanScope } from '../../../src/config/types.ts'
import { changeScript, fullTableScript } from '../../../src/firewall/nft-script.ts'
import { nftTableIntact, parseNftBans } from '../../../src/firewall/nft-list.ts'
import { coalesce, type FirewallOp } from '../../../src/firewall/ops.ts'
import { scopeRef, UNSCOPED } from '../../../src/firewall/scope.ts'
import { ipsetChangeScript, ipsetNames, parseIpsetSave } from '../../../src/firewall/ipset-script.ts'
import { scopeRules } from '../../../src/firewall/iptables.ts'

const s = (t: string): ParsedSubject => parseSubject(t)!
const NOW = Date.UTC(2026, 0, 1)
const SSH = scopeRef({ protocols: ['tcp'], ports: [[22, 22], [2222, 2222]] })
const DNS = scopeRef({ protocols: ['tcp', 'udp'], ports: [[53, 53]] })

test('a scope is named by a hash of its canonical text: the same scope in any order is the same sets', () => {
  const a = scopeRef({ protocols: ['udp', 'tcp'], ports: [[53, 53]] })
  assert.equal(a.key, 'tcp,udp:53')
  assert.equal(a.id, DNS.id)
  assert.match(SSH.id, /^[0-9a-f]{8}$/)
  assert.notEqual(SSH.id, DNS.id)
  assert.equal(scopeRef(undefined), UNSCOPED)
})

test('the full table: each scope has four sets and four rules per hook after the unscoped ones', () => {
  const script = fullTableScript('palisade', ['input', 'forward'], [
    { subject: s('203.0.113.7'), until: NOW + 5000, scope: SSH },
    { subject: s('203.0.113.7'), until: NOW + 9000, scope: UNSCOPED },
    { subject: s('10.0.0.0/16'), until: NOW + 5000, scope: UNSCOPED },
    // covered by the /16 of another scope: kept, each scope has its own interval set
    { subject: s('10.0.1.0/24'), until: NOW + 5000, scope: DNS }
  ], [], NOW, [SSH, DNS])
  assert.ok(script.includes(`set ban4_${SSH.id} { type ipv4_addr; flags timeout; }`))
  assert.ok(script.includes(`set bannet6_${DNS.id} { type ipv6_addr; flags interval,timeout; }`))
  assert.equal(script.match(new RegExp(`meta l4proto tcp th dport \\{ 22, 2222 \\} ip saddr @ban4_${SSH.id} drop`, 'g'))?.length, 2)
  assert.ok(script.includes(`meta l4proto { tcp, udp } th dport { 53 } ip6 saddr @bannet6_${DNS.id} drop`))
  assert.ok(script.includes(`add element inet palisade ban4_${SSH.id} { 203.0.113.7 timeout 5s }`))
  assert.ok(script.includes('add element inet palisade ban4 { 203.0.113.7 timeout 9s }'))
  assert.ok(script.includes(`add element inet palisade bannet4_${DNS.id} { 10.0.1.0/24 timeout 5s }`))
  const input = script.slice(script.indexOf('chain input'), script.indexOf('chain forward'))
  assert.ok(input.indexOf('@allow6 accept') < input.indexOf('@ban4 drop') && input.indexOf('@ban4 drop') < input.indexOf(`@ban4_${SSH.id}`))
})

test('a batch: a new scope\'s sets and rules come first; an unban of every scope touches each known scope\'s set', () => {
  const ops: FirewallOp[] = coalesce([
    { kind: 'ban', subject: s('203.0.113.7'), until: NOW + 60_000, scope: DNS },
    { kind: 'unban', subject: s('203.0.113.7'), scope: null },
    { kind: 'ban', subject: s('203.0.113.7'), until: NOW + 2000, scope: SSH },
    { kind: 'unban', subject: s('203.0.113.8'), scope: DNS }
  ])
  assert.deepEqual(ops.map(o => `${o.kind} ${o.subject.text} ${o.scope === null ? '*' : o.scope.key}`),
    ['unban 203.0.113.7 *', 'ban 203.0.113.7 tcp:22,2222', 'unban 203.0.113.8 tcp,udp:53'])
  const script = changeScript('palisade', ops, NOW, { known: [DNS], added: [SSH], hooks: ['input'] }).split('\n')
  assert.equal(script[0], `add set inet palisade ban4_${SSH.id} { type ipv4_addr; flags timeout; }`)
  assert.equal(script[4], `add rule inet palisade input meta l4proto tcp th dport { 22, 2222 } ip saddr @ban4_${SSH.id} drop`)
  const rest = script.slice(8)
  assert.deepEqual(rest, [
    'add element inet palisade ban4 { 203.0.113.7 }',
    'delete element inet palisade ban4 { 203.0.113.7 }',
    `add element inet palisade ban4_${DNS.id} { 203.0.113.7, 203.0.113.8 }`,
    `delete element inet palisade ban4_${DNS.id} { 203.0.113.7, 203.0.113.8 }`,
    `add element inet palisade ban4_${SSH.id} { 203.0.113.7 }`,
    `delete element inet palisade ban4_${SSH.id} { 203.0.113.7 }`,
    `add element inet palisade ban4_${SSH.id} { 203.0.113.7 timeout 2s }`,
    ''
  ])
})

test('nft listing: scoped sets are read with their scope; a scope\'s missing set or rules make the table damaged', () => {
  const rules = (chain: string, n: number) => Array.from({ length: n }, () => ({ rule: { chain } }))
  const sets = ['allow4', 'allow6', 'ban4', 'ban6', 'bannet4', 'bannet6'].map(name => ({ set: { name } }))
  const scoped = ['ban4', 'ban6', 'bannet4', 'bannet6'].map(n => ({ set: { name: `${n}_${SSH.id}` } }))
  const doc = (extra: object[], n: number) => JSON.stringify({ nftables: [...sets, ...extra, { chain: { name: 'input', hook: 'input' } }, ...rules('input', n)] })
  assert.equal(nftTableIntact(doc(scoped, 10), ['input'], [SSH]), true)
  assert.equal(nftTableIntact(doc(scoped, 6), ['input'], [SSH]), false, 'the scope\'s four rules are gone')
  assert.equal(nftTableIntact(doc(scoped.slice(1), 10), ['input'], [SSH]), false, 'a scope set is gone')
  const json = JSON.stringify({
    nftables: [
      { set: { name: `ban4_${SSH.id}`, elem: [{ elem: { val: '203.0.113.7', expires: 9 } }] } },
      { set: { name: 'ban4_0000beef', elem: [{ elem: { val: '203.0.113.9', expires: 9 } }] } },
      { set: { name: 'ban4', elem: [{ elem: { val: '203.0.113.8', expires: 9 } }] } }
    ]
  })
  assert.deepEqual(parseNftBans(json, NOW, [SSH]), [
    { subject: '203.0.113.7', until: NOW + 9000, scope: SSH.scope },
    { subject: '203.0.113.8', until: NOW + 9000 }
  ], 'a set of a scope this backend did not make is not read')
})

test('iptables: one rule per protocol, multiport chunks of at most 15 ports (a range counts two)', () => {
  const wide: BanScope = { protocols: ['tcp', 'udp'], ports: Array.from({ length: 9 }, (_, i) => [100 * (i + 1), 100 * (i + 1) + 5] as [number, number]) }
  const rules = scopeRules('PAL', 'pal-b4-x', wide)
  assert.deepEqual(rules, [
    '-A PAL -p tcp -m multiport --dports 100:105,200:205,300:305,400:405,500:505,600:605,700:705 -m set --match-set pal-b4-x src -j DROP',
    '-A PAL -p tcp -m multiport --dports 800:805,900:905 -m set --match-set pal-b4-x src -j DROP',
    '-A PAL -p udp -m multiport --dports 100:105,200:205,300:305,400:405,500:505,600:605,700:705 -m set --match-set pal-b4-x src -j DROP',
    '-A PAL -p udp -m multiport --dports 800:805,900:905 -m set --match-set pal-b4-x src -j DROP'
  ])
  assert.deepEqual(scopeRules('PAL', 'pal-b4-y', { protocols: ['udp'], ports: [] }), ['-A PAL -p udp -m set --match-set pal-b4-y src -j DROP'])
})

test('ipset scripts and listing per scope', () => {
  const names = ipsetNames('palisade')
  const script = ipsetChangeScript(names, [
    { kind: 'ban', subject: s('203.0.113.7'), until: NOW + 3000, scope: SSH },
    { kind: 'unban', subject: s('2001:db8::1'), scope: null }
  ], NOW, [SSH])
  assert.deepEqual(script.trim().split('\n'), [
    `add palisade-b4-${SSH.id} 203.0.113.7 timeout 3`,
    'del palisade-ban6 2001:db8::1',
    `del palisade-b6-${SSH.id} 2001:db8::1`
  ])
  const save = ['create palisade-ban4 hash:net', 'create palisade-ban6 hash:net', `create palisade-b4-${SSH.id} hash:net`,
    `create palisade-b6-${SSH.id} hash:net`, `add palisade-b4-${SSH.id} 203.0.113.7 timeout 3`].join('\n')
  assert.deepEqual(parseIpsetSave(save, names, NOW, [SSH]), [{ subject: '203.0.113.7', until: NOW + 3000, scope: SSH.scope }])
  assert.equal(parseIpsetSave(save, names, NOW, [SSH, DNS]), null, 'a known scope\'s sets are missing')
})

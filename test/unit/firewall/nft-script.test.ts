import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseSubject, type ParsedSubject } from '../../../src/common/ip.ts'
import { changeScript, fullTableScript } from '../../../src/firewall/nft-script.ts'
import { parseNftBans } from '../../../src/firewall/nft-list.ts'
import { coalesce, type FirewallOp } from '../../../src/firewall/ops.ts'
import { UNSCOPED } from '../../../src/firewall/scope.ts'

const s = (t: string): ParsedSubject => parseSubject(t)!
const NOW = Date.UTC(2026, 0, 1)

test('a batch touches each element with add+delete (absent deletes cannot fail) and re-adds bans with whole-second timeouts', () => {
  const ops: FirewallOp[] = coalesce([
    { kind: 'ban', subject: s('203.0.113.7'), until: NOW + 1500, scope: UNSCOPED },
    { kind: 'unban', subject: s('198.51.100.0/24'), scope: null },
    { kind: 'ban', subject: s('2001:db8::1'), until: NOW + 10, scope: UNSCOPED },
    { kind: 'ban', subject: s('198.51.100.9'), until: NOW + 60_000, scope: UNSCOPED },
    { kind: 'unban', subject: s('198.51.100.9'), scope: null }
  ])
  assert.equal(changeScript('palisade', ops, NOW), [
    'add element inet palisade ban4 { 203.0.113.7, 198.51.100.9 }',
    'delete element inet palisade ban4 { 203.0.113.7, 198.51.100.9 }',
    'add element inet palisade ban4 { 203.0.113.7 timeout 2s }',
    'add element inet palisade bannet4 { 198.51.100.0/24 }',
    'delete element inet palisade bannet4 { 198.51.100.0/24 }',
    'add element inet palisade ban6 { 2001:db8::1 }',
    'delete element inet palisade ban6 { 2001:db8::1 }',
    'add element inet palisade ban6 { 2001:db8::1 timeout 1s }', ''
  ].join('\n'))
})

test('the full table drops expired bans and prefixes covered by a wider one, and adds a chain per hook', () => {
  const script = fullTableScript('palisade', ['input', 'forward'], [
    { subject: s('203.0.113.7'), until: NOW - 1, scope: UNSCOPED },
    { subject: s('10.0.0.0/16'), until: NOW + 5000, scope: UNSCOPED },
    { subject: s('10.0.1.0/24'), until: NOW + 9000, scope: UNSCOPED }
  ], [s('192.0.2.0/24')], NOW)
  assert.ok(script.startsWith('add table inet palisade\ndelete table inet palisade\n'))
  assert.match(script, /chain input \{\n {4}type filter hook input priority -10; policy accept;/)
  assert.match(script, /chain forward \{/)
  assert.ok(!script.includes('203.0.113.7'))
  assert.ok(script.includes('add element inet palisade bannet4 { 10.0.0.0/16 timeout 5s }'))
  assert.ok(!script.includes('10.0.1.0/24'))
  assert.ok(script.includes('add element inet palisade allow4 { 192.0.2.0/24 }'))
})

test('nft -j listing: expires in seconds becomes until; elements without timeout are flagged', () => {
  const json = JSON.stringify({
    nftables: [
      { metainfo: {} },
      { set: { name: 'ban4', elem: [{ elem: { val: '203.0.113.7', timeout: 100, expires: 99 } }, '203.0.113.8'] } },
      { set: { name: 'bannet6', elem: [{ elem: { val: { prefix: { addr: '2001:db8:1:2::', len: 64 } }, expires: 7 } }] } },
      { set: { name: 'allow4', elem: [{ prefix: { addr: '192.0.2.0', len: 24 } }] } }
    ]
  })
  assert.deepEqual(parseNftBans(json, NOW), [
    { subject: '203.0.113.7', until: NOW + 99_000 },
    { subject: '203.0.113.8', until: Number.MAX_SAFE_INTEGER },
    { subject: '2001:db8:1:2::/64', until: NOW + 7000 }
  ])
})

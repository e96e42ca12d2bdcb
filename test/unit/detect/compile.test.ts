import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { compileFilter } from '../../../src/detect/index.ts'
import { filter, ipPattern, plainPattern } from './fixtures.ts'

const T = Date.UTC(2026, 0, 1)

describe('compileFilter: IP captures', () => {
  const patterns = { ip: ipPattern() }
  const f = compileFilter(filter(['Failed password for .* from <ip> port \\d+', 'rhost=<ip>']), patterns)

  test('IPv4', () => {
    const m = f.match('Failed password for root from 203.0.113.7 port 22 ssh2', T)
    assert.deepEqual(m, { filter: 's.f', values: { ip: '203.0.113.7' }, key: '203.0.113.7', ip: '203.0.113.7', time: T })
  })
  test('IPv6 compressed and expanded give one subject', () => {
    assert.equal(f.match('rhost=2001:db8::1', T)?.ip, '2001:db8::1')
    assert.equal(f.match('rhost=2001:0DB8:0000:0000:0000:0000:0000:0001 user=x', T)?.ip, '2001:db8::1')
  })
  test('::ffff: mapped becomes IPv4', () => {
    assert.equal(f.match('rhost=::ffff:198.51.100.4', T)?.key, '198.51.100.4')
  })
  test('an invalid capture is not a match', () => {
    assert.equal(f.match('rhost=999.1.1.1', T), null)
    assert.equal(f.match('rhost=1.2.3.4.5', T), null)
    assert.equal(f.match('rhost=01.2.3.4', T), null)
    assert.equal(f.match('nothing here', T), null)
  })
  test('explain names the regex and the captures', () => {
    assert.deepEqual(f.explain('x rhost=::ffff:198.51.100.4'), {
      regexIndex: 1, regex: 'rhost=<ip>', captures: { ip: { raw: '::ffff:198.51.100.4', value: '198.51.100.4' } }
    })
    assert.deepEqual(f.explain('rhost=999.1.1.1')?.captures, { ip: { raw: '999.1.1.1', value: null } })
    assert.equal(f.explain('no'), null)
  })
  test('the captured key is a copy, not a slice of the line', () => {
    const m = f.match('rhost=203.0.113.99', T)
    assert.equal(m?.key, '203.0.113.99')
  })
})

test('ipv6mask 64 gives the prefix; ipv4mask 24 too', () => {
  const f = compileFilter(filter(['from <ip>$']), { ip: ipPattern({ ipv6mask: 64, ipv4mask: 24 }) })
  assert.equal(f.match('from 2001:db8:1:2:3:4:5:6', T)?.key, '2001:db8:1:2::/64')
  assert.equal(f.match('from 203.0.113.77', T)?.ip, '203.0.113.0/24')
})

test('ipv4 / ipv6 typed patterns refuse the other family', () => {
  const f4 = compileFilter(filter(['from <ip>']), { ip: ipPattern({ type: 'ipv4' }) })
  assert.equal(f4.match('from 2001:db8::1', T), null)
  assert.equal(f4.match('from 192.0.2.1', T)?.ip, '192.0.2.1')
  const f6 = compileFilter(filter(['from <ip>']), { ip: ipPattern({ type: 'ipv6' }) })
  assert.equal(f6.match('from 192.0.2.1', T), null)
  assert.equal(f6.match('from 2001:db8::1', T)?.ip, '2001:db8::1')
})

test('ignore (normalised), ignorecidr and ignoreregex drop a capture', () => {
  const f = compileFilter(filter(['from <ip>']), {
    ip: ipPattern({ ignore: ['::ffff:127.0.0.1', '2001:DB8::0001'], ignorecidr: ['10.0.0.0/8', '2001:db8:ff::/48'], ignoreregex: ['192\\.0\\.2\\.\\d+'] })
  })
  assert.equal(f.match('from 127.0.0.1', T), null)
  assert.equal(f.match('from 2001:db8::1', T), null)
  assert.equal(f.match('from 10.9.8.7', T), null)
  assert.equal(f.match('from 2001:db8:ff::5', T), null)
  assert.equal(f.match('from 192.0.2.44', T), null)
  assert.equal(f.match('from 192.0.2.44', T), null)
  assert.equal(f.match('from 198.51.100.1', T)?.ip, '198.51.100.1')
  // ignoreregex must match the whole value
  const g = compileFilter(filter(['from <ip>']), { ip: ipPattern({ ignoreregex: ['192\\.0'] }) })
  assert.equal(g.match('from 192.0.2.44', T)?.ip, '192.0.2.44')
})

test('several patterns: key joins values in pattern order, non-IP ignore lists apply', () => {
  const patterns = { ip: ipPattern(), user: plainPattern('user', '[a-z]+', { ignore: ['admin'], ignoreregex: ['test\\d*'] }) }
  const f = compileFilter(filter(['user <user> from <ip>', 'from <ip> as <user>'], { patterns: ['user', 'ip'] }), patterns)
  const m = f.match('user bob from 203.0.113.5', T)
  assert.deepEqual(m?.values, { user: 'bob', ip: '203.0.113.5' })
  assert.equal(m?.key, '203.0.113.5', 'one IP-typed pattern: the key is the IP')
  assert.equal(f.match('from 203.0.113.5 as alice', T)?.values.user, 'alice')
  assert.equal(f.match('user admin from 203.0.113.5', T), null)
  assert.equal(f.match('user test12 from 203.0.113.5', T), null)
  const g = compileFilter(filter(['<user> did <verb>']), { user: plainPattern('user', '\\w+'), verb: plainPattern('verb', '\\w+') })
  const n = g.match('bob did things', T)
  assert.equal(n?.key, 'bob\tthings')
  assert.equal(n?.ip, undefined)
})

test('admin named groups, Go (?P<…>) syntax and lookbehinds survive combination', () => {
  const f = compileFilter(filter(['(?P<who>\\w+) x (?<!y)<ip>', '(?<who>\\w+)=\\k<who> <ip>']), { ip: ipPattern() })
  assert.equal(f.match('bob x 192.0.2.1', T)?.ip, '192.0.2.1')
  assert.equal(f.match('a=a 192.0.2.2', T)?.ip, '192.0.2.2')
  assert.equal(f.explain('a=a 192.0.2.2')?.regexIndex, 1)
})

test('an invalid regex is a PAL_ERR_CONFIG_INVALID naming the filter and the regex', () => {
  assert.throws(() => compileFilter(filter(['ok <ip>', 'bad ( <ip>']), { ip: ipPattern() }),
    (e: Error & { code?: string }) => e.code === 'PAL_ERR_CONFIG_INVALID' && e.message.includes('s.f') && e.message.includes('regex 1'))
})

test('a numbered backreference is refused at compile time (combining renumbers groups)', () => {
  assert.throws(() => compileFilter(filter(['(a)\\1 <ip>']), { ip: ipPattern() }), { code: 'PAL_ERR_CONFIG_INVALID' })
  assert.equal(compileFilter(filter(['\\\\1 x <ip>']), { ip: ipPattern() }).match('\\1 x 203.0.113.1', 0)?.ip, '203.0.113.1', 'an escaped backslash before a digit is no backreference')
})

test('an address verdict kept between lines is the same verdict: ignored stays ignored, past the bound of kept verdicts too (IPv6 ones are kept)', () => {
  const f = compileFilter(filter(['from <ip>$']), { ip: ipPattern({ ignore: ['2001:db8::7'], ignorecidr: ['10.0.0.0/8'] }) })
  for (let round = 0; round < 2; round++) {
    assert.equal(f.match('from 2001:DB8:0:0::7', T), null)
    assert.equal(f.match('from 10.1.2.3', T), null)
    assert.equal(f.match('from 2001:DB8::8', T)?.ip, '2001:db8::8')
    assert.equal(f.match('from 999.1.2.3', T), null)
    // more distinct addresses than the verdicts kept
    for (let i = 0; i < 5000; i++) assert.equal(f.match(`from 2001:DB8::1:${i.toString(16)}`, T)?.ip, `2001:db8::1:${i.toString(16)}`)
  }
})

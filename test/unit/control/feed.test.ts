import { test } from 'node:test'
import assert from 'node:assert/strict'
import { gunzipSync } from 'node:zlib'
import type { Ban } from '../../../src/common/model.ts'
import { FeedCache, feedEntries, renderFeed } from '../../../src/control/feed.ts'
import { nftElements, renderNftSets, renderNftTable } from '../../../src/control/feed-nft.ts'
import { acceptsGzip, bearerMatches, etagMatches, nftForm } from '../../../src/control/feed-http.ts'

const now = Date.UTC(2026, 0, 1)
const ban = (ip: string, secs = 3600, extra: Partial<Ban> = {}): Ban =>
  ({ key: ip, ip, values: { ip }, filter: 'ssh.fail', origin: 'detect', since: now, until: now + secs * 1000, level: 0, reporters: ['self'], firewall: true, ...extra })

test('an address inside a banned prefix, and a prefix inside a wider one, are dropped from the interval set', () => {
  const els = nftElements([ban('203.0.113.7'), ban('203.0.113.0/24'), ban('203.0.0.0/16', 60), ban('2001:db8::/48'), ban('2001:db8:0:1::/64'), ban('2001:db8::5')], now)
  assert.deepEqual(els.map(e => `${e.text} ${e.seconds}`), ['203.0.0.0/16 60', '2001:db8::/48 3600'])
})

test('neighbours ending at the same second become one range; different ends stay apart; a duplicate keeps the later end', () => {
  const els = nftElements([ban('198.51.100.0/25'), ban('198.51.100.128/25'), ban('198.51.101.0/24', 10), ban('192.0.2.1', 5), ban('192.0.2.1', 50)], now)
  assert.deepEqual(els.map(e => `${e.text} ${e.seconds}`), ['192.0.2.1 50', '198.51.100.0-198.51.100.255 3600', '198.51.101.0/24 10'])
})

test('the enforcing table replaces itself and drops on each hook asked for; the include form holds only sets', () => {
  const t = renderNftTable([ban('192.0.2.1')], now, ['input', 'forward'])
  assert.match(t, /^add table inet palisade_feed\ndelete table inet palisade_feed\n/m)
  assert.match(t, /chain forward \{\n {4}type filter hook forward/)
  assert.equal(t.match(/ip saddr @ban4 drop/g)?.length, 2)
  const s = renderNftSets([ban('192.0.2.1')], now, 'filter')
  assert.doesNotMatch(s, /chain|delete|^(add )?table/m)
  assert.match(s, /flush set inet filter palisade_ban4\nadd element inet filter palisade_ban4 \{ 192\.0\.2\.1 timeout 3600s \}/)
})

test('json carries provenance per entry from the votes read interface', () => {
  const b = ban('192.0.2.9', 3600, { reporters: ['self', 'peerA'], origin: 'remote' })
  const votes = { votes: () => [{ author: 'peerA', filter: 'nginx.auth', observedAt: now - 5000 }, { author: 'peerB', filter: 'ssh.fail', observedAt: now + 2000 }] }
  const [e] = feedEntries([b], votes)
  assert.deepEqual(e, {
    ip: '192.0.2.9', until: new Date(now + 3_600_000).toISOString(), since: new Date(now - 5000).toISOString(), lastSeen: new Date(now + 2000).toISOString(),
    filter: 'ssh.fail', filters: ['nginx.auth', 'ssh.fail'], origin: 'remote', reporters: 3, level: 0
  })
  assert.equal(JSON.parse(renderFeed('json', [b], now)).bans[0].reporters, 2)
})

test('ETag and gzip are computed once per render and per variant; a new generation renders again', async () => {
  const cache = new FeedCache(() => [ban('192.0.2.1')], () => now)
  const a = cache.body('txt')
  assert.equal(cache.body('txt'), a)
  assert.equal(gunzipSync(await a.gzip()).toString(), '192.0.2.1\n')
  await a.gzip()
  assert.equal(cache.gzips, 1)
  cache.body('nft', { form: 'table', hooks: ['input', 'forward'] })
  cache.body('nft')
  assert.equal(cache.renders, 3)
  cache.apply()
  const b = cache.body('txt')
  assert.notEqual(b, a)
  assert.equal(b.etag, a.etag, 'the same list keeps its tag across renders')
  for (let i = 0; i < 40; i++) cache.body('nft', { form: 'sets', table: `t${i}` })
  assert.ok((cache as unknown as { cached: Map<string, unknown> }).cached.size <= 16, 'table names a client makes up do not grow the cache')
})

test('If-None-Match, Accept-Encoding, bearer and nft query parsing', () => {
  assert.ok(etagMatches('"abc"', '"abc"'))
  assert.ok(etagMatches('W/"x", "abc-gz"', '"abc"'))
  assert.ok(etagMatches('*', '"abc"'))
  assert.ok(!etagMatches('"abd"', '"abc"'))
  assert.ok(!etagMatches(undefined, '"abc"'))
  assert.ok(acceptsGzip('br, gzip;q=0.5'))
  assert.ok(!acceptsGzip('gzip;q=0, br'))
  assert.ok(!acceptsGzip('identity'))
  assert.ok(bearerMatches('Bearer s3cret-token-0123456789', 's3cret-token-0123456789'))
  assert.ok(!bearerMatches('Bearer s3cret-token-012345678', 's3cret-token-0123456789'))
  assert.ok(!bearerMatches('Basic s3cret-token-0123456789', 's3cret-token-0123456789'))
  assert.ok(!bearerMatches(undefined, 's3cret-token-0123456789'))
  assert.deepEqual(nftForm(new URLSearchParams('hooks=input,forward')), { form: 'table', hooks: ['input', 'forward'] })
  assert.deepEqual(nftForm(new URLSearchParams('form=sets&table=filter')), { form: 'sets', table: 'filter' })
  assert.match(String(nftForm(new URLSearchParams('hooks=output'))), /unknown hook/)
  assert.match(String(nftForm(new URLSearchParams('form=sets&table=x;flush ruleset'))), /table/)
})

test('the fast time stamps equal toISOString, and the json is valid with one entry per line', () => {
  const stamps = [0, 1, 999, 86_399_999, now, now + 3_723_456, Date.UTC(2038, 0, 19, 3, 14, 7, 5), 253_402_300_799_999]
  const out = JSON.parse(renderFeed('json', stamps.map((t, i) => ban(`192.0.2.${i + 1}`, 0, { until: t, since: t })), now))
  assert.deepEqual(out.bans.map((b: { until: string }) => b.until), stamps.map(t => new Date(t).toISOString()))
  assert.equal(renderFeed('json', [ban('192.0.2.1'), ban('192.0.2.2')], now).split('\n').length, 5)
})

test('the json text and feedEntries agree, with and without votes', () => {
  const bs = [ban('192.0.2.9', 3600, { reporters: ['self', 'peerA'] }), ban('192.0.2.1', 60, { filter: 'a "quoted" filter' }), ban('2001:db8::/64')]
  const votes = { votes: (k: string) => k === '192.0.2.9' ? [{ author: 'peerB', filter: 'x.y', observedAt: now - 1 }] : [{ author: 'self', filter: 'ssh.fail', observedAt: now + 7 }] }
  assert.deepEqual(JSON.parse(renderFeed('json', bs, now, { votes })).bans, feedEntries(bs, votes))
})

test('feed.token and feed.tokenFile load from the configuration; another key under feed is refused', async () => {
  const { parseConfig } = await import('../../../src/config/index.ts')
  const MIN = 'patterns: {ip: {type: ip}}\nstreams:\n  ssh:\n    unit: ssh\n    filters:\n      f: {regex: [\'from <ip>\'], ban: 1h}\n'
  const load = (feed: string) => parseConfig([{ file: '/etc/palisade/palisade.yml', text: MIN + feed, format: 'yaml' }], { isRoot: false, cwd: '/home/u' })
  assert.deepEqual(load('feed: {listen: "0.0.0.0:4712", token: "0123456789abcdef-x"}\n').feed, { listen: '0.0.0.0:4712', token: '0123456789abcdef-x' })
  assert.equal(load('feed: {tokenFile: /etc/palisade/feed.token}\n').feed?.tokenFile, '/etc/palisade/feed.token')
  assert.throws(() => load('feed: {tokn: x}\n'), /feed\.tokn/)
})

test('only canonical dotted quads take the IPv4 fast path; anything else is parsed or skipped', () => {
  const els = nftElements([ban('0.0.0.1'), ban('255.255.255.255'), ban('01.2.3.4'), ban('1.2.3'), ban('1.2.3.4.5'), ban('256.1.1.1'), ban('1..2.3'), ban('::ffff:192.0.2.5')], now)
  assert.deepEqual(els.map(e => e.text), ['0.0.0.1', '192.0.2.5', '255.255.255.255'])
})

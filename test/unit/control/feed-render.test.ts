import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import type { Ban } from '../../../src/common/model.ts'
import { isoTime } from '../../../src/common/duration.ts'
import { FeedCache, feedEntries, renderFeed } from '../../../src/control/feed.ts'
import { byIp, radixOrder, textOrder } from '../../../src/control/feed-order.ts'

/**
 * The json feed is written as bytes in one pass (src/control/feed-json.ts) and ordered by a radix
 * sort (src/control/feed-order.ts): both must give exactly what the plain construction gives —
 * JSON.stringify of each entry, and a comparison sort by subject that keeps equal subjects in order.
 */
const now = Date.UTC(2026, 11, 1, 23, 59, 58, 765)

/** a seeded generator: the same cases every run */
function rng (seed: number): () => number {
  let s = seed >>> 0
  return () => { s = (s * 1_664_525 + 1_013_904_223) >>> 0; return s / 2 ** 32 }
}

function reference (bans: readonly Ban[], votes?: Parameters<typeof feedEntries>[1]): string {
  const lines = feedEntries(bans, votes).map(e => JSON.stringify(e))
  return `{"generated":${JSON.stringify(isoTime(now))},"count":${lines.length},"bans":[\n${lines.join(',\n')}\n]}\n`
}

const ban = (ip: string | undefined, extra: Partial<Ban> = {}): Ban =>
  ({ key: ip ?? 'user=x', ip, values: {}, filter: 'ssh.fail', origin: 'detect', since: now, until: now + 3_600_000, level: 0, reporters: ['self'], firewall: true, ...extra })

test('the json bytes equal JSON.stringify of each entry, whatever the names, stamps and votes', () => {
  const r = rng(7)
  const odd = [-1, 0, 1.5, NaN, 253_402_300_799_999, 253_402_300_800_000, 8.64e15, now - 86_400_000 * 400]
  const filters = ['ssh.fail', 'nginx.é"quoted"', 'a\nb', 'tab\there', '\u2028sep', 'x'.repeat(400)]
  const bans: Ban[] = []
  for (let i = 0; i < 3000; i++) {
    const ip = i % 97 === 0
      ? `Host"${i}`
      : i % 5 === 0 ? `2001:db8:${(i * 31 % 65536).toString(16)}::${(i % 7).toString(16)}/64` : `198.51.${i % 256}.${Math.floor(r() * 256)}`
    bans.push(ban(ip, {
      key: `k${i}`,
      filter: filters[i % filters.length],
      origin: i % 3 === 0 ? 'remote' : 'detect',
      level: i % 4,
      since: i % 11 === 0 ? odd[i % odd.length] : now - Math.floor(r() * 86_400_000 * 3),
      until: i % 13 === 0 ? odd[(i + 3) % odd.length] : now + Math.floor(r() * 86_400_000 * 40),
      reporters: i % 6 === 0 ? ['self', 'peerA', 'peerA'] : ['self']
    }))
  }
  bans.push(ban(undefined), ban('198.51.7.7', { key: 'dup1' }), ban('198.51.7.7', { key: 'dup2', filter: 'other' }))
  const votes = {
    votes: (k: string) => k.endsWith('3')
      ? [{ author: 'peerB', filter: 'z.z', observedAt: now - 5 }, { author: 'self', filter: 'ssh.fail', observedAt: now + 9 }]
      : k.endsWith('4') ? [{ author: 'self', filter: 'ssh.fail', observedAt: now + 1 }] : []
  }
  assert.equal(renderFeed('json', bans, now), reference(bans))
  assert.equal(renderFeed('json', bans, now, { votes }), reference(bans, votes))
  assert.equal(renderFeed('json', [], now), reference([]))
  // more distinct line endings than are kept: the rest are encoded each time, the text is the same
  const many = Array.from({ length: 10_050 }, (_, i) => ban(`192.0.${i >> 8 & 255}.${i & 255}`, { key: `m${i}`, filter: `f${i}` }))
  assert.equal(renderFeed('json', many, now), reference(many))
})

test('the radix order is the comparison order, equal subjects in their given order', () => {
  const r = rng(11)
  const alphabet = './0123456789:abcdef'
  for (let round = 0; round < 30; round++) {
    const n = Math.floor(r() * 400)
    const texts: string[] = []
    for (let i = 0; i < n; i++) {
      if (texts.length > 0 && r() < 0.2) {
        // a duplicate, or a prefix of another text
        const t = texts[Math.floor(r() * texts.length)]
        texts.push(r() < 0.5 ? t : t.slice(0, Math.floor(r() * t.length)))
        continue
      }
      const len = Math.floor(r() * (round % 3 === 0 ? 45 : 12))
      let t = round % 2 === 0 ? '198.51.' : ''
      for (let j = 0; j < len; j++) t += alphabet[Math.floor(r() * alphabet.length)]
      texts.push(t)
    }
    const expected = texts.map((_, i) => i).sort((x, y) => texts[x] < texts[y] ? -1 : texts[x] > texts[y] ? 1 : x - y)
    assert.deepEqual(Array.from(radixOrder(texts)!), expected, `round ${round}`)
  }
  assert.equal(radixOrder(['192.0.2.1', '2001:DB8::1']), null)
  assert.equal(radixOrder(['192.0.2.1', 'é']), null)
})

test('IPv4 subjects by their octets\' ranks, merged with the others, give the text order', () => {
  const r = rng(5)
  const octets = [0, 1, 2, 9, 10, 11, 19, 20, 99, 100, 101, 199, 200, 249, 250, 255]
  const octet = (): string => String(octets[Math.floor(r() * octets.length)])
  const odd = ['01.2.3.4', '1.2.3.256', '1.2.3.4/33', '1.2.3.4/', '1.2.3', '1.2.3.4.5', '1..3.4', '1.2.3.4/024', '2001:db8::1', '::ffff:1.2.3.4', '']
  for (let round = 0; round < 20; round++) {
    const texts: string[] = []
    for (let i = 0; i < 500; i++) {
      const ip = `${octet()}.${octet()}.${octet()}.${octet()}`
      texts.push(r() < 0.2 ? `${ip}/${Math.floor(r() * 33)}` : r() < 0.1 && texts.length > 0 ? texts[Math.floor(r() * texts.length)] : ip)
      if (round % 2 === 1 && r() < 0.05) texts.push(odd[Math.floor(r() * odd.length)])
    }
    const expected = texts.map((_, i) => i).sort((x, y) => texts[x] < texts[y] ? -1 : texts[x] > texts[y] ? 1 : x - y)
    assert.deepEqual(Array.from(textOrder(texts)), expected, `round ${round}`)
  }
})

test('byIp: bans without a subject dropped; sorted, nearly sorted, shuffled and odd inputs all give the comparison order', () => {
  const r = rng(3)
  const sortedIps = Array.from({ length: 2000 }, (_, i) => `10.${i >> 8}.${i & 255}.1`).sort()
  const inputs: string[][] = [
    sortedIps,
    sortedIps.map((ip, i) => i % 50 === 0 ? `9.0.${i}.0/24` : ip),
    [...sortedIps].sort(() => r() - 0.5),
    ['b', 'A', '10.0.0.1', 'a']
  ]
  for (const ips of inputs) {
    const bans = ips.map((ip, i) => ban(ip, { key: `k${i}` }))
    bans.splice(7, 0, ban(undefined, { key: 'nosubject' }))
    const want = bans.filter(b => b.ip !== undefined).sort((a, b) => a.ip! < b.ip! ? -1 : a.ip! > b.ip! ? 1 : 0)
    assert.deepEqual(byIp(bans).map(b => b.key), want.map(b => b.key))
  }
})

test('a cached body sends the bytes of its text, tagged by their hash', () => {
  const bans = [ban('192.0.2.1'), ban('2001:db8::1', { key: 'b', filter: 'nginx.é' })]
  for (const format of ['json', 'txt', 'nft'] as const) {
    const body = new FeedCache(() => bans, () => now).body(format)
    assert.deepEqual(body.bytes, Buffer.from(body.text))
    assert.equal(body.text, renderFeed(format, bans, now))
    assert.equal(body.etag, `"${createHash('sha256').update(body.text).digest('base64url').slice(0, 27)}"`)
  }
})

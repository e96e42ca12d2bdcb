import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { gunzipSync } from 'node:zlib'
import { mkdtemp, writeFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Ban } from '../../src/common/model.ts'
import { silentLogger } from '../../src/common/logger.ts'
import { FeedServer } from '../../src/control/http-server.ts'
import { feedToken } from '../../src/control/feed-http.ts'

/** Conditional requests, gzip and the bearer token on a real feed server on 127.0.0.1. */
const now = Date.UTC(2026, 0, 1)
const bans: Ban[] = Array.from({ length: 2000 }, (_, i) => {
  const ip = `2001:db8::${i.toString(16)}`
  return { key: ip, ip, values: { ip }, filter: 's.f', origin: 'detect', since: now, until: now + 3_600_000 + i * 1000, level: 0, reporters: ['self'], firewall: true }
})
const TOKEN = 'feed-token-0123456789abcdef'

interface Answer { status: number, headers: Record<string, string | string[] | undefined>, body: Buffer }
function get (port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers, method, agent: false }, res => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
    }).on('error', reject).end()
  })
}

async function server (token?: string): Promise<FeedServer> {
  const feed = new FeedServer({ listen: '127.0.0.1:0', bans: () => bans, now: () => now, subscribe: () => {}, logger: silentLogger(), token })
  await feed.start()
  after(() => feed.stop())
  return feed
}

test('every format answers 304 to its own ETag, and gzip when asked, encoded once', async () => {
  const feed = await server()
  for (const path of ['/blocklist.txt', '/blocklist.json', '/blocklist.nft', '/blocklist.nft?form=sets&table=filter']) {
    const plain = await get(feed.port, path)
    assert.equal(plain.status, 200)
    const etag = String(plain.headers.etag)
    assert.match(etag, /^"[\w-]+"$/)
    const again = await get(feed.port, path, { 'if-none-match': etag })
    assert.equal(again.status, 304, path)
    assert.equal(again.body.length, 0)
    const gz = await get(feed.port, path, { 'accept-encoding': 'gzip, br' })
    assert.equal(gz.headers['content-encoding'], 'gzip')
    assert.ok(gz.body.length < plain.body.length / 2, `${path}: gzip makes it smaller`)
    assert.deepEqual(gunzipSync(gz.body), plain.body)
    assert.equal((await get(feed.port, path, { 'accept-encoding': 'gzip', 'if-none-match': String(gz.headers.etag) })).status, 304)
    assert.equal((await get(feed.port, path, { 'if-none-match': '"other"' })).status, 200)
  }
  await get(feed.port, '/blocklist.txt', { 'accept-encoding': 'gzip' })
  assert.equal(feed.cache.gzips, 4, 'one gzip per rendered variant, not per request')
  assert.equal((await get(feed.port, '/blocklist.nft?hooks=output')).status, 400)
})

test('with a token, a request without it or with a wrong one is refused, the right one passes', async () => {
  const feed = await server(TOKEN)
  for (const path of ['/blocklist.txt', '/blocklist.json', '/blocklist.nft', '/metrics']) {
    const none = await get(feed.port, path)
    assert.equal(none.status, 401, path)
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="palisade"')
    assert.doesNotMatch(none.body.toString(), /2001:db8/)
    assert.equal((await get(feed.port, path, { authorization: `Bearer ${TOKEN.slice(0, -1)}x` })).status, 401)
    assert.equal((await get(feed.port, path, { authorization: `Basic ${TOKEN}` })).status, 401)
  }
  const ok = await get(feed.port, '/blocklist.txt', { authorization: `Bearer ${TOKEN}` })
  assert.equal(ok.status, 200)
  assert.equal(ok.body.toString().split('\n').length, 2001)
})

test('feed.tokenFile is read and trimmed; an unreadable or short token is a configuration error naming the key', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pal-feedtok-'))
  after(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'tok'), `${TOKEN}\n`)
  assert.equal(feedToken({ tokenFile: join(dir, 'tok') }), TOKEN)
  assert.equal(feedToken({}), undefined)
  assert.throws(() => feedToken({ tokenFile: join(dir, 'missing') }), /feed\.tokenFile: cannot read/)
  assert.throws(() => feedToken({ token: 'short' }), /feed\.token: a token is 16 to 512/)
})

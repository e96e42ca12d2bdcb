/**
 * The HTTP feed under load, on a real server on 127.0.0.1: the rendered feed is cached per ban
 * generation (before, each request sorted and serialised every ban: 20,000 bans saturated it at
 * 36 requests a second), and slow clients cannot hold it: 400 sockets trickling their headers
 * from one address once refused every other client for ~10 s per wave.
 */
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { request } from 'node:http'
import type { Ban } from '../../src/common/model.ts'
import { createLogger } from '../../src/common/logger.ts'
import { FeedServer } from '../../src/control/http-server.ts'
import type { FeedCache } from '../../src/control/feed.ts'

const logger = createLogger({ level: 'silent' })
const now = Date.UTC(2026, 0, 1)
const bans: Ban[] = Array.from({ length: 20_000 }, (_, i) => {
  const ip = `2001:db8::${i.toString(16)}`
  return { key: ip, ip, values: { ip }, filter: 's.f', origin: 'detect', since: now, until: now + 3_600_000 + i, level: 0, reporters: ['self'], firewall: true }
})

function get (port: number, path: string, localAddress = '127.0.0.1'): Promise<{ status: number, body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, localAddress, agent: false }, res => {
      let body = ''
      res.setEncoding('utf8').on('data', (c: string) => { body += c }).on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

async function server (limits = {}): Promise<{ feed: FeedServer, sink: () => FeedCache, calls: () => number }> {
  let calls = 0
  let sink: FeedCache | undefined
  const feed = new FeedServer({ listen: '127.0.0.1:0', bans: () => { calls++; return bans }, now: () => now, subscribe: s => { sink = s }, logger, limits })
  await feed.start()
  after(() => feed.stop())
  return { feed, sink: () => sink!, calls: () => calls }
}

test('200 requests with 20,000 bans render the feed once; a decision renders it anew', async () => {
  const { feed, sink, calls } = await server()
  const answers = await Promise.all(Array.from({ length: 200 }, () => get(feed.port, '/blocklist.txt')))
  assert.ok(answers.every(a => a.status === 200 && a.body.split('\n').length === 20_001))
  assert.equal(calls(), 1, 'one render for 200 requests')
  sink().apply()
  await get(feed.port, '/blocklist.txt')
  assert.equal(calls(), 2)
  await get(feed.port, '/blocklist.json')
  assert.equal(calls(), 3, 'each format has its own text')
})

test('400 slow clients from one address do not keep an honest client out, and are closed at the header deadline', async () => {
  const { feed } = await server({ headersTimeoutMs: 3000 })
  const slow: Socket[] = []
  const closed = new Set<Socket>()
  for (let i = 0; i < 400; i++) {
    const s = connect({ host: '127.0.0.1', port: feed.port, localAddress: '127.0.0.2' })
    s.on('error', () => {})
    s.on('close', () => closed.add(s))
    s.on('connect', () => s.write('GET /blocklist.txt HTTP/1.1\r\nHost: x\r\n'))
    slow.push(s)
  }
  after(() => { for (const s of slow) s.destroy() })
  // trickle a header byte every 200 ms: each socket stays active, which no idle timeout catches
  const trickle = setInterval(() => { for (const s of slow) if (!s.destroyed) s.write('X') }, 200)
  after(() => clearInterval(trickle))
  await new Promise(resolve => setTimeout(resolve, 300))
  const honest = await get(feed.port, '/blocklist.txt')
  const closedAtAnswer = closed.size
  assert.equal(honest.status, 200, 'the honest client is answered while slow sockets are open')
  assert.equal(honest.body.split('\n').length, 20_001)
  assert.ok(closedAtAnswer < slow.length, 'some slow sockets were still open when the honest client was answered')
  // all but the per-source limit are closed at once; those stay until the header deadline
  const settle = Date.now() + 2500
  while (closed.size < slow.length - 16 && Date.now() < settle) await new Promise(resolve => setTimeout(resolve, 50))
  assert.ok(slow.length - closed.size <= 16, `${slow.length - closed.size} slow sockets from one address stayed open (per-source limit 16)`)
  // the ones admitted are closed once the header deadline passes, though they keep sending
  const deadline = Date.now() + 15_000
  while (closed.size < slow.length && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100))
  assert.equal(closed.size, slow.length, 'every slow socket closed by the server')
})

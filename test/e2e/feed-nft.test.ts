import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import type { Ban } from '../../src/common/model.ts'
import { silentLogger } from '../../src/common/logger.ts'
import { FeedServer } from '../../src/control/http-server.ts'
import type { FeedCache } from '../../src/control/feed.ts'
import { createNetns, createVethPair, startTcpServer, tcpConnect, type Netns } from '../helpers/netns.ts'

/**
 * The nft feed as a router consumes it: fetched from a real feed server, loaded with `nft -f`
 * inside namespace A, then B connects over a veth pair from a banned and an unbanned address.
 * The state holds a prefix and an address inside it (once "conflicting intervals": the whole
 * script was refused), and the script is loaded twice (a cron job reloads it).
 */
const A = '10.200.7.1'
const B_BANNED = '10.200.7.2'
const B_FREE = '10.200.7.100'
const A6 = 'fd00:200:7::1'
const B6_BANNED = 'fd00:200:7::2'
const B6_FREE = 'fd00:200:7::1:2'

const nsA = await createNetns('feeda')
after(() => nsA.remove())
const nsB = await createNetns('feedb')
after(() => nsB.remove())
await createVethPair(nsA, nsB, [`${A}/24`, `${A6}/64`], [`${B_BANNED}/24`, `${B_FREE}/24`, `${B6_BANNED}/64`, `${B6_FREE}/64`])
const server = await startTcpServer(nsA, '::')
after(() => server.close())

const now = Date.now()
const ban = (ip: string): Ban => ({ key: ip, ip, values: { ip }, filter: 's.f', origin: 'detect', since: now, until: now + 3_600_000, level: 0, reporters: ['self'], firewall: true })
let bans: Ban[] = [ban('10.200.7.0/28'), ban(B_BANNED), ban('fd00:200:7::/112'), ban(B6_BANNED), ban('192.0.2.0/24'), ban('192.0.2.7')]
let sink: FeedCache | undefined
const feed = new FeedServer({
  listen: '127.0.0.1:0',
  bans: () => bans,
  now: () => Date.now(),
  subscribe: s => {
    sink = s
  },
  logger: silentLogger()
})
await feed.start()
after(() => feed.stop())

function get (path: string): Promise<{ status: number, body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: feed.port, path, agent: false }, res => {
      let body = ''
      res
        .setEncoding('utf8')
        .on('data', (c: string) => {
          body += c
        })
        .on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    }).on('error', reject).end()
  })
}

async function load (path: string): Promise<void> {
  const r = await get(path)
  assert.equal(r.status, 200)
  const n = await nsA.exec(['nft', '-f', '-'], r.body)
  assert.equal(n.code, 0, `nft -f ${path} failed: ${n.stderr}`)
}

const connect = (host: string, from: string): Promise<string> =>
  tcpConnect(nsB, host, server.port, { from, timeoutMs: 1000 })

test('the enforcing table loads with a prefix and an address inside it, reloads, and drops banned sources only', async () => {
  await load('/blocklist.nft?hooks=input,forward')
  await load('/blocklist.nft?hooks=input,forward')
  const listed = await nsA.exec(['nft', 'list', 'table', 'inet', 'palisade_feed'])
  assert.match(listed.stdout, /chain forward/)
  assert.equal(await connect(A, B_BANNED), 'timeout')
  assert.equal(await connect(A6, B6_BANNED), 'timeout')
  assert.equal(await connect(A, B_FREE), 'connected')
  assert.equal(await connect(A6, B6_FREE), 'connected')
  await nsA.exec(['nft', 'delete', 'table', 'inet', 'palisade_feed'])
})

test('the include form fills sets the admin\'s own table references, and a reload follows an unban', async () => {
  const own = [
    'table inet filter {',
    '  set palisade_ban4 { type ipv4_addr; flags interval, timeout; }',
    '  set palisade_ban6 { type ipv6_addr; flags interval, timeout; }',
    '  chain input { type filter hook input priority 0; policy accept; ip saddr @palisade_ban4 drop; ip6 saddr @palisade_ban6 drop; }',
    '}'
  ].join('\n')
  const r = await nsA.exec(['nft', '-f', '-'], own)
  assert.equal(r.code, 0, r.stderr)
  await load('/blocklist.nft?form=sets&table=filter')
  await load('/blocklist.nft?form=sets&table=filter')
  assert.equal(await connect(A, B_BANNED), 'timeout')
  assert.equal(await connect(A6, B6_BANNED), 'timeout')
  assert.equal(await connect(A, B_FREE), 'connected')
  bans = bans.filter(b => b.ip!.startsWith('192.'))
  sink!.apply()
  await load('/blocklist.nft?form=sets&table=filter')
  assert.equal(await connect(A, B_BANNED), 'connected', 'the flush in the reload lifts what the feed no longer lists')
  assert.equal(await connect(A6, B6_BANNED), 'connected')
})

test('with ?hooks=forward a router drops banned sources it forwards: B → A (routing, loads the feed) → C', async () => {
  const nsC = await createNetns('feedc')
  after(() => nsC.remove())
  await createVethPair(nsA, nsC, '10.200.8.1/24', '10.200.8.2/24')
  const must = async (ns: Netns, argv: string[]): Promise<void> => {
    const r = await ns.exec(argv)
    assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`)
  }
  await must(nsA, ['sysctl', '-qw', 'net.ipv4.ip_forward=1'])
  await must(nsB, ['ip', 'route', 'add', '10.200.8.0/24', 'via', A])
  await must(nsC, ['ip', 'route', 'add', '10.200.7.0/24', 'via', '10.200.8.1'])
  const behind = await startTcpServer(nsC, '10.200.8.2')
  after(() => behind.close())
  bans = [ban('10.200.7.0/28'), ban(B_BANNED)]
  sink!.apply()
  await nsA.exec(['nft', 'delete', 'table', 'inet', 'filter'])
  await load('/blocklist.nft?hooks=forward')
  const through = (from: string): Promise<string> =>
    tcpConnect(nsB, '10.200.8.2', behind.port, { from, timeoutMs: 1000 })
  assert.equal(await through(B_BANNED), 'timeout', 'forwarded packets from a banned source are dropped')
  assert.equal(await through(B_FREE), 'connected')
  assert.equal(await connect(A, B_BANNED), 'connected', 'only the forward hook was asked for')
})

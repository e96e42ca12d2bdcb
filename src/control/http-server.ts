import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Logger } from '../common/logger.ts'
import type { Ban } from '../common/model.ts'
import { FeedCache, type FeedFormat, type FeedVotes } from './feed.ts'
import type { PromMetrics } from './metrics.ts'
import { acceptsGzip, bearerMatches, etagMatches, isLoopbackHost, nftForm } from './feed-http.ts'

const ROUTES: Record<string, FeedFormat> = { '/blocklist.txt': 'txt', '/blocklist.json': 'json', '/blocklist.nft': 'nft' }
const TYPES: Record<FeedFormat, string> = { txt: 'text/plain; charset=utf-8', json: 'application/json', nft: 'text/plain; charset=utf-8' }

export interface FeedServerInit {
  /** host:port; `[::1]:4712` for IPv6 */
  listen: string
  bans: () => readonly Ban[]
  now: () => number
  /** registers the feed's cache as a decision sink, so a ban or unban renders anew at once */
  subscribe?: (sink: FeedCache) => void
  metrics?: PromMetrics
  logger: Logger
  limits?: Partial<FeedLimits>
  /** provenance for /blocklist.json */
  votes?: FeedVotes
  /** when set, every request must carry `Authorization: Bearer <token>` */
  token?: string
}

/**
 * Bounds of the HTTP feed (docs/limits.md): it may face the network, where a client can open
 * many sockets and send its headers a byte at a time.
 */
export interface FeedLimits {
  /** sockets open at once, over all clients */
  maxConnections: number
  /** sockets open at once from one address */
  perSource: number
  /** ms for the request headers to arrive */
  headersTimeoutMs: number
  /** ms for the whole request */
  requestTimeoutMs: number
  /** bytes of request headers */
  maxHeaderBytes: number
}

export const FEED_LIMITS: FeedLimits = {
  maxConnections: 256,
  perSource: 16,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  maxHeaderBytes: 8 * 1024
}

/** GET-only HTTP server for the blocklist feed and Prometheus metrics. Binds 127.0.0.1 by default. */
export class FeedServer {
  private readonly init: FeedServerInit
  private readonly limits: FeedLimits
  private readonly perSource = new Map<string, number>()
  private server: Server | undefined
  readonly cache: FeedCache
  port = 0

  constructor (init: FeedServerInit) {
    this.init = init
    this.limits = { ...FEED_LIMITS, ...init.limits }
    // with no decision sink to say when bans change, a text is at most a second old
    this.cache = new FeedCache(init.bans, init.now, init.subscribe === undefined ? 1000 : 30_000, init.votes)
    init.subscribe?.(this.cache)
  }

  /** true when the socket may stay: its address has fewer than `perSource` sockets open */
  private admit (sock: Socket): boolean {
    const who = sock.remoteAddress ?? '?'
    const n = this.perSource.get(who) ?? 0
    if (n >= this.limits.perSource) { sock.destroy(); return false }
    this.perSource.set(who, n + 1)
    sock.once('close', () => {
      const left = (this.perSource.get(who) ?? 1) - 1
      if (left <= 0) this.perSource.delete(who)
      else this.perSource.set(who, left)
    })
    return true
  }

  private handle (req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, { allow: 'GET, HEAD' }).end(); return }
    if (this.init.token !== undefined && !bearerMatches(req.headers.authorization, this.init.token)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="palisade"', 'content-type': 'text/plain' }).end('a bearer token is required\n')
      return
    }
    const format = ROUTES[path]
    if (format !== undefined) {
      const form = format === 'nft' ? nftForm(new URLSearchParams(q === -1 ? '' : url.slice(q + 1))) : undefined
      if (typeof form === 'string') { res.writeHead(400, { 'content-type': 'text/plain' }).end(form + '\n'); return }
      const body = this.cache.body(format, form)
      const gz = acceptsGzip(req.headers['accept-encoding'])
      const etag = gz ? body.etag.slice(0, -1) + '-gz"' : body.etag
      const headers: Record<string, string> = { 'content-type': TYPES[format], 'cache-control': 'no-cache', etag, vary: 'Accept-Encoding, Authorization' }
      if (etagMatches(req.headers['if-none-match'], body.etag)) { res.writeHead(304, headers).end(); return }
      if (!gz) { res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : body.bytes); return }
      body.gzip().then(buf => {
        res.writeHead(200, { ...headers, 'content-encoding': 'gzip', 'content-length': String(buf.length) }).end(req.method === 'HEAD' ? undefined : buf)
      }, () => res.writeHead(500).end())
      return
    }
    if (path === '/metrics' && this.init.metrics !== undefined) {
      const m = this.init.metrics
      void m.text().then(
        t => res.writeHead(200, { 'content-type': m.contentType }).end(t),
        () => res.writeHead(500).end()
      )
      return
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /blocklist.txt /blocklist.json /blocklist.nft /metrics\n')
  }

  async start (): Promise<void> {
    const { host, port } = splitHostPort(this.init.listen)
    const l = this.limits
    const server = createServer({
      maxHeaderSize: l.maxHeaderBytes,
      headersTimeout: l.headersTimeoutMs,
      requestTimeout: l.requestTimeoutMs,
      // how often Node checks those two timeouts (default 30 s, which let slow clients hold sockets)
      connectionsCheckingInterval: Math.min(1000, l.headersTimeoutMs)
    }, (req, res) => { this.handle(req, res) })
    // a feed is public-facing when bound beyond loopback: keep slow or idle clients from holding sockets
    server.maxConnections = l.maxConnections
    server.keepAliveTimeout = 5_000
    server.on('connection', (sock: Socket) => { this.admit(sock) })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => { server.off('error', reject); resolve() })
    })
    const addr = server.address()
    this.port = typeof addr === 'object' && addr !== null ? addr.port : port
    this.server = server
    const log = this.init.logger.child({ component: 'feed' })
    log.info({ host, port: this.port, token: this.init.token !== undefined }, 'feed listening')
    if (this.init.token === undefined && !isLoopbackHost(host)) log.warn({ host }, 'feed: bound beyond loopback without feed.token: anyone who reaches the port reads the blocklist and metrics')
  }

  async stop (): Promise<void> {
    const s = this.server
    this.server = undefined
    if (s === undefined) return
    s.closeAllConnections()
    await new Promise<void>(resolve => s.close(() => resolve()))
  }
}

export function splitHostPort (listen: string): { host: string, port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(listen)
  if (m === null) return { host: '127.0.0.1', port: Number(listen) }
  return { host: m[1], port: Number(m[2]) }
}

import { createServer, type Server } from 'node:http'
import type { Logger } from '../common/logger.ts'
import type { Ban } from '../common/model.ts'
import { renderFeed, type FeedFormat } from './feed.ts'
import type { PromMetrics } from './metrics.ts'

const ROUTES: Record<string, FeedFormat> = { '/blocklist.txt': 'txt', '/blocklist.json': 'json', '/blocklist.nft': 'nft' }
const TYPES: Record<FeedFormat, string> = { txt: 'text/plain; charset=utf-8', json: 'application/json', nft: 'text/plain; charset=utf-8' }

export interface FeedServerInit {
  /** host:port; `[::1]:4712` for IPv6 */
  listen: string
  bans: () => readonly Ban[]
  now: () => number
  metrics?: PromMetrics
  logger: Logger
}

/** GET-only HTTP server for the blocklist feed and Prometheus metrics. Binds 127.0.0.1 by default. */
export class FeedServer {
  private readonly init: FeedServerInit
  private server: Server | undefined
  port = 0

  constructor (init: FeedServerInit) {
    this.init = init
  }

  async start (): Promise<void> {
    const { host, port } = splitHostPort(this.init.listen)
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]
      if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, { allow: 'GET, HEAD' }).end(); return }
      const format = ROUTES[path]
      if (format !== undefined) {
        res.writeHead(200, { 'content-type': TYPES[format], 'cache-control': 'no-cache' })
        res.end(req.method === 'HEAD' ? undefined : renderFeed(format, this.init.bans(), this.init.now()))
        return
      }
      if (path === '/metrics' && this.init.metrics !== undefined) {
        const m = this.init.metrics
        void m.text().then(t => res.writeHead(200, { 'content-type': m.contentType }).end(t), () => res.writeHead(500).end())
        return
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /blocklist.txt /blocklist.json /blocklist.nft /metrics\n')
    })
    // a feed is public-facing when bound beyond loopback: keep slow or idle clients from holding sockets
    server.maxConnections = 256
    server.headersTimeout = 10_000
    server.requestTimeout = 10_000
    server.keepAliveTimeout = 5_000
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => { server.off('error', reject); resolve() })
    })
    const addr = server.address()
    this.port = typeof addr === 'object' && addr !== null ? addr.port : port
    this.server = server
    this.init.logger.child({ component: 'feed' }).info({ host, port: this.port }, 'feed listening')
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

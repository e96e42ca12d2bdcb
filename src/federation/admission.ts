import type { MultiaddrConnection } from '@libp2p/interface'

/** a connection that has not proven its key within this long is dropped (libp2p's default is 10 s) */
export const INBOUND_UPGRADE_TIMEOUT = 3_000
/** inbound connections one address may have before they prove a key */
export const MAX_PENDING_PER_SOURCE = 8

/**
 * Inbound connections that have not finished the noise handshake, counted per source address.
 * libp2p bounds them only in total (`maxIncomingPendingConnections`): ~100 idle sockets from one
 * host held every slot and locked the members out. Past `MAX_PENDING_PER_SOURCE` from one
 * address, its next socket is dropped at once, before any handshake work.
 */
export class PendingInbound {
  private readonly perSource = new Map<string, number>()
  private readonly held = new WeakMap<MultiaddrConnection, { host: string, timer: NodeJS.Timeout }>()
  private readonly max: number
  private readonly timeout: number

  constructor (max = MAX_PENDING_PER_SOURCE, timeout = INBOUND_UPGRADE_TIMEOUT) {
    this.max = max
    this.timeout = timeout
  }

  /** false when the source already holds its share of pending connections */
  admit (conn: MultiaddrConnection): boolean {
    const host = hostOf(conn.remoteAddr.toString())
    if (host === undefined) return true
    const n = this.perSource.get(host) ?? 0
    if (n >= this.max) return false
    this.perSource.set(host, n + 1)
    // released when the key is proven, or at the latest when libp2p's upgrade timeout drops it
    const timer = setTimeout(() => { this.release(conn) }, this.timeout + 500)
    timer.unref()
    this.held.set(conn, { host, timer })
    return true
  }

  release (conn: MultiaddrConnection): void {
    const h = this.held.get(conn)
    if (h === undefined) return
    this.held.delete(conn)
    clearTimeout(h.timer)
    const n = (this.perSource.get(h.host) ?? 1) - 1
    if (n <= 0) this.perSource.delete(h.host)
    else this.perSource.set(h.host, n)
  }

  pending (host: string): number { return this.perSource.get(host) ?? 0 }
}

function hostOf (multiaddr: string): string | undefined {
  return /^\/ip[46]\/([^/]+)\//.exec(multiaddr)?.[1]
}

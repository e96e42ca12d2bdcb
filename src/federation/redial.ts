import { peerIdFromString } from '@libp2p/peer-id'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Clock, Timer } from '../common/clock.ts'
import type { Logger } from '../common/logger.ts'
import type { TrustPolicy } from '../trust/index.ts'
import { peerIdOfAddr, type PalisadeNode } from './node.ts'

/**
 * Keeps trusted members connected. libp2p's KEEP_ALIVE gives up after 5 tries and directPeers
 * redial only every 5 minutes (NOTES.md), so every `interval` this dials each bootstrap address
 * whose peer is not connected, and each trusted peer the peer store has addresses for.
 */
export class Redialer {
  private readonly node: PalisadeNode
  private readonly bootstrap: Multiaddr[]
  private readonly trust: TrustPolicy
  private readonly open: boolean
  private readonly interval: number
  private readonly clock: Clock
  private readonly log: Logger
  private timer: Timer | undefined
  private running = false
  private readonly dialing = new Set<string>()

  constructor (init: { node: PalisadeNode, bootstrap: Multiaddr[], open: boolean, interval: number },
    components: { trust: TrustPolicy, clock: Clock, logger: Logger }) {
    this.node = init.node
    this.bootstrap = init.bootstrap
    this.open = init.open
    this.interval = init.interval
    this.trust = components.trust
    this.clock = components.clock
    this.log = components.logger.child({ component: 'federation-redial' })
  }

  start (): void {
    this.running = true
    this.round()
  }

  stop (): void {
    this.running = false
    this.timer?.cancel()
    this.timer = undefined
  }

  /**
   * Dial one member now (it was just trusted, or its connection dropped) instead of waiting for
   * the next round: the victim reaching out to its members is also what keeps them in when the
   * inbound slots are held by strangers.
   */
  dialNow (key: string, addrs: Multiaddr[] = []): void {
    if (!this.running || key === this.node.peerId.toString() || this.connected(key)) return
    if (!this.open && this.trust.get(key) === undefined) return
    const ma = addrs[0] ?? this.bootstrap.find(a => peerIdOfAddr(a) === key)
    this.dial(key, ma)
  }

  /** One pass; schedules the next. Dials run in the background, one at a time per target. */
  round (): void {
    if (!this.running) return
    const self = this.node.peerId.toString()
    const done = new Set<string>([self])
    for (const ma of this.bootstrap) {
      const id = peerIdOfAddr(ma)
      if (id !== undefined) {
        if (done.has(id)) continue
        done.add(id)
        if (!this.open && this.trust.get(id) === undefined) continue
        if (this.connected(id)) continue
      }
      this.dial(id ?? ma.toString(), ma)
    }
    for (const p of this.trust.list()) {
      if (done.has(p.key) || this.connected(p.key)) continue
      this.dial(p.key, undefined)
    }
    this.timer = this.clock.setTimeout(() => { this.round() }, this.interval)
  }

  private connected (id: string): boolean {
    return this.node.getConnections(peerIdFromString(id)).length > 0
  }

  private dial (key: string, ma: Multiaddr | undefined): void {
    if (this.dialing.has(key)) return
    this.dialing.add(key)
    void (async () => {
      try {
        if (ma !== undefined) {
          await this.node.dial(ma, { signal: AbortSignal.timeout(10_000) })
        } else {
          const pid = peerIdFromString(key)
          const known = await this.node.peerStore.get(pid).catch(() => undefined)
          if (known === undefined || known.addresses.length === 0) return
          await this.node.dial(pid, { signal: AbortSignal.timeout(10_000) })
        }
        this.log.debug({ peer: key }, 'dialled member')
      } catch (err) {
        if (this.running) this.log.debug({ err, peer: key }, 'dial failed; will retry')
      } finally {
        this.dialing.delete(key)
      }
    })()
  }
}

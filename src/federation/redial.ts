import { peerIdFromString } from '@libp2p/peer-id'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Clock, Timer } from '../common/clock.ts'
import type { Logger } from '../common/logger.ts'
import type { TrustPolicy } from '../trust/index.ts'
import { peerIdOfAddr, type PalisadeNode } from './node.ts'

/** after a member drops, it is dialled this often (short dials) for `FAST_WINDOW`, then every round */
const FAST_PERIOD = 1_000
const FAST_DIAL_TIMEOUT = 2_000
const FAST_WINDOW = 300_000

/**
 * Keeps trusted members connected. libp2p's KEEP_ALIVE gives up after 5 tries and directPeers
 * redial only every 5 minutes (docs/platform-notes.md), so every `interval` this dials each bootstrap address
 * whose peer is not connected, and each trusted peer the peer store has addresses for. A member
 * that just dropped (a partition, a restart) is dialled every second for five minutes with short
 * dials, so the collective is whole again a second or two after the network heals, not a round later.
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
  /** members that dropped recently: key → end of their fast-redial window */
  private readonly fast = new Map<string, { until: number, timer?: Timer }>()

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
    for (const f of this.fast.values()) f.timer?.cancel()
    this.fast.clear()
  }

  /** A member's last connection closed: dial it now, then every second for a while. */
  lost (key: string): void {
    if (!this.running) return
    this.fast.get(key)?.timer?.cancel()
    this.fast.set(key, { until: this.clock.now() + FAST_WINDOW })
    this.dialNow(key)
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
    const fast = this.fast.get(key)
    const timeout = fast !== undefined ? FAST_DIAL_TIMEOUT : 10_000
    let ok = false
    void (async () => {
      try {
        if (ma !== undefined) {
          await this.node.dial(ma, { signal: AbortSignal.timeout(timeout) })
        } else {
          const pid = peerIdFromString(key)
          const known = await this.node.peerStore.get(pid).catch(() => undefined)
          if (known === undefined || known.addresses.length === 0) return
          await this.node.dial(pid, { signal: AbortSignal.timeout(timeout) })
        }
        ok = true
        this.log.debug({ peer: key }, 'dialled member')
      } catch (err) {
        if (this.running) this.log.debug({ err, peer: key }, 'dial failed; will retry')
      } finally {
        this.dialing.delete(key)
        this.retryFast(key, ok)
      }
    })()
  }

  private retryFast (key: string, connected: boolean): void {
    const f = this.fast.get(key)
    if (f === undefined) return
    if (connected || !this.running || this.clock.now() >= f.until) {
      this.fast.delete(key)
      return
    }
    f.timer = this.clock.setTimeout(() => {
      if (this.fast.get(key) === f) this.dialNow(key)
    }, FAST_PERIOD)
  }
}

import { TokenBuckets } from '../common/token-buckets.ts'

export interface PeerGuardInit {
  /** messages one connected peer may hand the validator: burst, then per second */
  burst: number
  perSecond: number
  /** messages with a bad signature tolerated per `invalidWindow` ms */
  invalidLimit: number
  invalidWindow: number
  /** first disconnect lasts `backoffBase` ms, each further one twice as long, at most `backoffMax` */
  backoffBase: number
  backoffMax: number
}

export const PEER_GUARD_DEFAULTS: PeerGuardInit = {
  burst: 5_000,
  perSecond: 1_000,
  invalidLimit: 20,
  invalidWindow: 10_000,
  backoffBase: 30_000,
  backoffMax: 3_600_000
}

/**
 * Per connected peer (the relay a message came through, not its author), checked before any
 * decoding or signature work: a message budget, and a penalty for invalid messages. An honest
 * member never relays a message with a bad signature (its own validator rejects it first), so a
 * peer that sends them is disconnected and refused for a growing backoff.
 */
export class PeerGuard {
  private readonly init: PeerGuardInit
  private readonly budget: TokenBuckets
  private readonly invalids = new Map<string, { count: number, since: number }>()
  private readonly penalties = new Map<string, { until: number, offences: number }>()

  constructor (init: Partial<PeerGuardInit> = {}) {
    this.init = { ...PEER_GUARD_DEFAULTS, ...init }
    this.budget = new TokenBuckets({ burst: this.init.burst, perSecond: this.init.perSecond })
  }

  /** one message from `peer` may be looked at */
  admit (peer: string, now: number): boolean {
    return this.budget.take(peer, now)
  }

  /** record an invalid message; returns the end of the penalty when this one earned it */
  invalid (peer: string, now: number): number | undefined {
    let w = this.invalids.get(peer)
    if (w === undefined || now - w.since > this.init.invalidWindow) {
      w = { count: 0, since: now }
      if (this.invalids.size >= 10_000) this.invalids.clear()
      this.invalids.set(peer, w)
    }
    w.count++
    if (w.count < this.init.invalidLimit) return undefined
    this.invalids.delete(peer)
    return this.penalise(peer, now)
  }

  penalise (peer: string, now: number): number {
    const prev = this.penalties.get(peer)
    const offences = (prev?.offences ?? 0) + 1
    const until = now + Math.min(this.init.backoffMax, this.init.backoffBase * 2 ** (offences - 1))
    if (prev === undefined && this.penalties.size >= 10_000) {
      for (const [k, p] of this.penalties) if (p.until < now) this.penalties.delete(k)
    }
    this.penalties.set(peer, { until, offences })
    return until
  }

  isPenalised (peer: string, now: number): boolean {
    const p = this.penalties.get(peer)
    return p !== undefined && p.until > now
  }

  penaltyOf (peer: string): { until: number, offences: number } | undefined {
    const p = this.penalties.get(peer)
    return p === undefined ? undefined : { ...p }
  }
}

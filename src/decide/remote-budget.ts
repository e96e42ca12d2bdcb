/**
 * `trust.maxRemoteBans` shared between the members: each ban made by remote votes alone is charged
 * to one of its reporters (the one holding the fewest), and no member may hold more than its share,
 * cap / members, rounded up. The members counted are the configured voting peers or the distinct
 * reporters seen, whichever is more, and at least two: a lone reporter keeps half the cap free
 * for the others. One member (or a stolen key) reporting thousands of addresses then fills its
 * share, never the whole cap, and an honest member's ban still finds room.
 *
 * Bans refused for room are remembered (bounded, oldest dropped) and handed back by `takeWaiting`
 * when room appears (a remote ban lifted, a member revoked), so that they are tallied again.
 */
export type RemoteRefusal = 'cap' | 'share'

export interface RemoteRefusals { cap: number, share: number }

const MAX_WAITING = 10_000
const MAX_AUTHORS = 10_000

export class RemoteBudget {
  private readonly cap: number
  private readonly configured: number
  /** ban key → the reporter it is charged to */
  private readonly charged = new Map<string, string>()
  private readonly held = new Map<string, number>()
  private readonly refusals = new Map<string, RemoteRefusals>()
  private readonly waiting = new Set<string>()

  constructor (cap: number, configuredMembers: number) {
    this.cap = cap
    this.configured = configuredMembers
  }

  get total (): number { return this.charged.size }

  /** the most bans one member may hold now, counting `reporters` among the members */
  share (reporters: readonly string[] = []): number {
    let n = this.held.size
    for (const a of reporters) if (!this.held.has(a)) n++
    return Math.max(1, Math.ceil(this.cap / Math.max(this.configured, n, 2)))
  }

  /**
   * Whether a new remote ban for `key`, reported by `reporters`, fits; null when it does. A
   * refusal is counted against each reporter and the key waits for room.
   */
  refusal (key: string, reporters: readonly string[]): RemoteRefusal | null {
    let why: RemoteRefusal | null = null
    if (this.charged.size >= this.cap) why = 'cap'
    else if (this.payer(reporters) === undefined) why = 'share'
    if (why === null) return null
    for (const a of reporters) {
      let r = this.refusals.get(a)
      if (r === undefined) {
        if (this.refusals.size >= MAX_AUTHORS) this.refusals.delete(this.refusals.keys().next().value!)
        r = { cap: 0, share: 0 }
        this.refusals.set(a, r)
      }
      r[why]++
    }
    this.waiting.delete(key)
    if (this.waiting.size >= MAX_WAITING) this.waiting.delete(this.waiting.values().next().value!)
    this.waiting.add(key)
    return why
  }

  /** `key` is now a remote ban reported by `reporters` (null: lifted, or this node voted too) */
  update (key: string, reporters: readonly string[] | null): void {
    const was = this.charged.get(key)
    if (reporters === null) {
      if (was !== undefined) this.release(key, was)
      return
    }
    if (was !== undefined) return
    const payer = this.payer(reporters) ?? this.leastHolding(reporters)
    if (payer === undefined) return
    this.charged.set(key, payer)
    this.held.set(payer, (this.held.get(payer) ?? 0) + 1)
  }

  /** up to `limit` keys refused for room, oldest first; they are forgotten until refused again */
  takeWaiting (limit = 1000): string[] {
    const out: string[] = []
    for (const k of this.waiting) {
      if (out.length >= limit) break
      out.push(k)
    }
    for (const k of out) this.waiting.delete(k)
    return out
  }

  /** some refused key may fit now */
  hasWaiting (): boolean { return this.waiting.size > 0 && this.charged.size < this.cap }

  /** bans charged to `author` and its refusals, for `peer list` */
  statsOf (author: string): { held: number, share: number, refused: RemoteRefusals } {
    return {
      held: this.held.get(author) ?? 0,
      share: this.share([author]),
      refused: { ...(this.refusals.get(author) ?? { cap: 0, share: 0 }) }
    }
  }

  private payer (reporters: readonly string[]): string | undefined {
    const share = this.share(reporters)
    const least = this.leastHolding(reporters)
    return least !== undefined && (this.held.get(least) ?? 0) < share ? least : undefined
  }

  private leastHolding (reporters: readonly string[]): string | undefined {
    let best: string | undefined
    for (const a of reporters) if (best === undefined || (this.held.get(a) ?? 0) < (this.held.get(best) ?? 0)) best = a
    return best
  }

  private release (key: string, author: string): void {
    this.charged.delete(key)
    const n = (this.held.get(author) ?? 1) - 1
    if (n <= 0) this.held.delete(author)
    else this.held.set(author, n)
  }
}

/**
 * Token buckets keyed by peer: `burst` tokens, refilled at `perSecond`. The map is bounded; when
 * full the least recently touched key is dropped (it restarts full: an honest peer is never
 * starved by strangers filling the map, an attacker gains one burst at most).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number, at: number }>()
  private readonly burst: number
  private readonly perMs: number
  private readonly maxKeys: number

  constructor (init: { burst: number, perSecond: number, maxKeys?: number }) {
    this.burst = init.burst
    this.perMs = init.perSecond / 1000
    this.maxKeys = init.maxKeys ?? 10_000
  }

  /** tokens `key` could spend now */
  available (key: string, now: number): number {
    return this.refill(key, now).tokens
  }

  /** spend `n` tokens when there are that many; false (nothing spent) otherwise */
  take (key: string, now: number, n = 1): boolean {
    const b = this.refill(key, now)
    if (b.tokens < n) return false
    b.tokens -= n
    return true
  }

  /** spend up to `n` tokens (a partial answer); returns how many were spent */
  takeUpTo (key: string, now: number, n: number): number {
    const b = this.refill(key, now)
    const got = Math.max(0, Math.min(n, Math.floor(b.tokens)))
    b.tokens -= got
    return got
  }

  forget (key: string): void { this.buckets.delete(key) }

  private refill (key: string, now: number): { tokens: number, at: number } {
    let b = this.buckets.get(key)
    if (b === undefined) {
      b = { tokens: this.burst, at: now }
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next()
        if (oldest.done !== true) this.buckets.delete(oldest.value)
      }
    } else {
      this.buckets.delete(key)
      b.tokens = Math.min(this.burst, b.tokens + Math.max(0, now - b.at) * this.perMs)
      b.at = now
    }
    this.buckets.set(key, b)
    return b
  }
}

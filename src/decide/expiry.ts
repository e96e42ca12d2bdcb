import type { Clock, Timer } from '../common/clock.ts'

/**
 * One timer for all bans: a binary min-heap of (until, key) with lazy deletion, so 100,000 live
 * bans cost one armed timer, not 100,000. Stale entries (a ban extended or lifted since) are
 * skipped by the caller's `isCurrent` check when they surface.
 */
export class ExpiryQueue {
  private heap: Array<{ until: number, key: string }> = []
  private timer: Timer | undefined
  private armedFor = Infinity
  private readonly clock: Clock
  private readonly onDue: (key: string, until: number) => void

  constructor (clock: Clock, onDue: (key: string, until: number) => void) {
    this.clock = clock
    this.onDue = onDue
  }

  push (key: string, until: number): void {
    const h = this.heap
    h.push({ until, key })
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (h[p].until <= h[i].until) break
      ;[h[p], h[i]] = [h[i], h[p]]
      i = p
    }
    if (until < this.armedFor) this.arm()
  }

  stop (): void {
    this.timer?.cancel()
    this.timer = undefined
    this.armedFor = Infinity
  }

  get size (): number { return this.heap.length }

  private pop (): { until: number, key: string } | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (h.length > 0 && last !== undefined) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && h[l].until < h[m].until) m = l
        if (r < h.length && h[r].until < h[m].until) m = r
        if (m === i) break
        ;[h[m], h[i]] = [h[i], h[m]]
        i = m
      }
    }
    return top
  }

  private arm (): void {
    this.timer?.cancel()
    const next = this.heap[0]
    if (next === undefined) { this.armedFor = Infinity; this.timer = undefined; return }
    this.armedFor = next.until
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, next.until - this.clock.now()))
  }

  private fire (): void {
    this.timer = undefined
    const now = this.clock.now()
    while (this.heap.length > 0 && this.heap[0].until <= now) {
      const e = this.pop()
      if (e !== undefined) this.onDue(e.key, e.until)
    }
    this.arm()
  }
}

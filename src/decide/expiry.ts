import { monotonicOf, type Clock, type Timer } from '../common/clock.ts'

interface Entry { due: number, until: number, key: string }

/**
 * One timer for all bans: a binary min-heap of (due, key) with lazy deletion, so 100,000 live
 * bans cost one armed timer, not 100,000. Stale entries (a ban extended or lifted since) are
 * skipped by the caller's `isCurrent` check when they surface.
 *
 * `due` is the monotonic reading at which the ban ends, fixed when it is pushed: a wall-clock
 * step afterwards must not lift bans early (+2 h) nor keep them 3 h too long (−3 h).
 */
export class ExpiryQueue {
  private heap: Entry[] = []
  private timer: Timer | undefined
  private armedFor = Infinity
  private readonly clock: Clock
  private readonly onDue: (key: string, until: number) => void

  constructor (clock: Clock, onDue: (key: string, until: number) => void) {
    this.clock = clock
    this.onDue = onDue
  }

  /** `due` defaults to the monotonic reading `until - now()` from now */
  push (key: string, until: number, due = monotonicOf(this.clock) + until - this.clock.now()): void {
    const h = this.heap
    h.push({ due, until, key })
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (h[p].due <= h[i].due) break
      const t = h[p]
      h[p] = h[i]
      h[i] = t
      i = p
    }
    if (due < this.armedFor) this.arm()
  }

  stop (): void {
    this.timer?.cancel()
    this.timer = undefined
    this.armedFor = Infinity
  }

  get size (): number { return this.heap.length }

  private pop (): Entry | undefined {
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
        if (l < h.length && h[l].due < h[m].due) m = l
        if (r < h.length && h[r].due < h[m].due) m = r
        if (m === i) break
        const t = h[m]
        h[m] = h[i]
        h[i] = t
        i = m
      }
    }
    return top
  }

  private arm (): void {
    this.timer?.cancel()
    const next = this.heap[0]
    if (next === undefined) { this.armedFor = Infinity; this.timer = undefined; return }
    this.armedFor = next.due
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, next.due - monotonicOf(this.clock)))
  }

  private fire (): void {
    this.timer = undefined
    const now = monotonicOf(this.clock)
    while (this.heap.length > 0 && this.heap[0].due <= now) {
      const e = this.pop()
      if (e !== undefined) this.onDue(e.key, e.until)
    }
    this.arm()
  }
}

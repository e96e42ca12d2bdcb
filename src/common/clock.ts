/**
 * Time is injected everywhere (counters, expiry, escalation, rate caps) so that tests replay
 * `retry`/`retryperiod` and ban expiry deterministically instead of sleeping.
 */
export interface Timer { cancel(): void }

export interface Clock {
  /** milliseconds since the epoch */
  now(): number
  /** run fn once after ms; the returned timer never keeps the process alive on its own */
  setTimeout(fn: () => void, ms: number): Timer
}

/** Node's timers cap at 2^31-1 ms (~24.8 days); longer delays are chained. */
const MAX_DELAY = 2 ** 31 - 1

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout (fn, ms) {
    let handle: NodeJS.Timeout
    const due = Date.now() + ms
    const arm = (): void => {
      const left = due - Date.now()
      handle = setTimeout(left > MAX_DELAY ? arm : fn, Math.max(0, Math.min(left, MAX_DELAY)))
      handle.unref()
    }
    arm()
    return { cancel: () => clearTimeout(handle) }
  }
}

/** A clock that only moves when told to. Timers fire in due order during `advance`. */
export class ManualClock implements Clock {
  private current: number
  private timers: Array<{ due: number, seq: number, fn: () => void, live: boolean }> = []
  private seq = 0

  constructor (start = Date.UTC(2026, 0, 1)) {
    this.current = start
  }

  now (): number { return this.current }

  setTimeout (fn: () => void, ms: number): Timer {
    const t = { due: this.current + Math.max(0, ms), seq: this.seq++, fn, live: true }
    this.timers.push(t)
    return { cancel: () => { t.live = false } }
  }

  /** Move time forward, firing every timer that falls due on the way, in order. */
  advance (ms: number): void {
    const target = this.current + ms
    for (;;) {
      this.timers = this.timers.filter(t => t.live)
      this.timers.sort((a, b) => a.due - b.due || a.seq - b.seq)
      const next = this.timers[0]
      if (next === undefined || next.due > target) break
      this.current = Math.max(this.current, next.due)
      next.live = false
      next.fn()
    }
    this.current = target
  }

  set (epochMs: number): void {
    this.advance(Math.max(0, epochMs - this.current))
  }

  pending (): number { return this.timers.filter(t => t.live).length }
}

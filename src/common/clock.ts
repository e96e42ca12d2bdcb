/**
 * Time is injected everywhere (counters, expiry, escalation, rate caps) so that tests replay
 * `retry`/`retryperiod` and ban expiry deterministically instead of sleeping.
 *
 * Two readings: `now()` is wall time (what is stored, shown and compared with log times) and
 * `monotonic()` never jumps. Durations that are already running (a ban's remaining time, a
 * timer) are measured on the monotonic one, so that an NTP step or an admin's `date -s` neither
 * lifts every ban at once nor stretches the kernel's timeouts by the size of the jump.
 */
export interface Timer { cancel(): void }

export interface Clock {
  /** milliseconds since the epoch */
  now(): number
  /** milliseconds from an arbitrary origin; never jumps (a clock without one falls back to now()) */
  monotonic?(): number
  /** run fn once after ms (monotonic); the returned timer never keeps the process alive on its own */
  setTimeout(fn: () => void, ms: number): Timer
}

/** The monotonic reading of a clock, or its wall time when it has none. */
export function monotonicOf (clock: Clock): number {
  return clock.monotonic !== undefined ? clock.monotonic() : clock.now()
}

/** Node's timers cap at 2^31-1 ms (~24.8 days); longer delays are chained. */
const MAX_DELAY = 2 ** 31 - 1

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout (fn, ms) {
    let handle: NodeJS.Timeout
    const due = performance.now() + ms
    const arm = (): void => {
      const left = due - performance.now()
      handle = setTimeout(left > MAX_DELAY ? arm : fn, Math.max(0, Math.min(left, MAX_DELAY)))
      handle.unref()
    }
    arm()
    return { cancel: () => clearTimeout(handle) }
  }
}

/**
 * A clock that only moves when told to. Timers fire in due order during `advance`; `jump`
 * moves the wall reading alone, like a clock step on a real host.
 */
export class ManualClock implements Clock {
  private current: number
  private mono = 0
  private timers: Array<{ due: number, seq: number, fn: () => void, live: boolean }> = []
  private seq = 0

  constructor (start = Date.UTC(2026, 0, 1)) {
    this.current = start
  }

  now (): number { return this.current }
  monotonic (): number { return this.mono }

  setTimeout (fn: () => void, ms: number): Timer {
    const t = { due: this.mono + Math.max(0, ms), seq: this.seq++, fn, live: true }
    this.timers.push(t)
    return { cancel: () => { t.live = false } }
  }

  /** Move time forward, firing every timer that falls due on the way, in order. */
  advance (ms: number): void {
    const target = this.mono + ms
    for (;;) {
      this.timers = this.timers.filter(t => t.live)
      this.timers.sort((a, b) => a.due - b.due || a.seq - b.seq)
      const next = this.timers[0]
      if (next === undefined || next.due > target) break
      const step = Math.max(0, next.due - this.mono)
      this.mono += step
      this.current += step
      next.live = false
      next.fn()
    }
    this.current += target - this.mono
    this.mono = target
  }

  /** Step the wall clock by ms (either sign) without time passing: no timer fires. */
  jump (ms: number): void {
    this.current += ms
  }

  set (epochMs: number): void {
    this.advance(Math.max(0, epochMs - this.current))
  }

  pending (): number { return this.timers.filter(t => t.live).length }
}

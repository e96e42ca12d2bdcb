import type { Clock, Timer } from '../common/clock.ts'
import type { Logger } from '../common/logger.ts'

/**
 * One WARN line per (peer, reason) per `interval`: the first refusal is logged at once, the rest
 * of the interval are counted and written as one summary line when it ends. A flood of rejected
 * messages then costs a few lines, not one per message (counts per reason are in the metrics).
 */
export class RejectLog {
  private readonly log: Logger
  private readonly clock: Clock
  private readonly interval: number
  private readonly open = new Map<
    string,
    { peer: string | undefined; reason: string; author: string | undefined; suppressed: number }
  >()

  private timer: Timer | undefined

  constructor (log: Logger, clock: Clock, interval = 10_000) {
    this.log = log
    this.clock = clock
    this.interval = interval
  }

  note (peer: string | undefined, reason: string, author: string | undefined): void {
    const key = `${peer ?? ''}\0${reason}`
    const e = this.open.get(key)
    if (e !== undefined) {
      e.suppressed++
      return
    }
    // bounded: past this many distinct pairs in one interval, later ones are only counted in metrics
    if (this.open.size >= 1000) return
    this.open.set(key, { peer, reason, author, suppressed: 0 })
    this.log.warn({ peer, reason, author }, 'observation rejected')
    this.timer ??= this.clock.setTimeout(() => {
      this.flush()
    }, this.interval)
  }

  flush (): void {
    this.timer?.cancel()
    this.timer = undefined
    for (const e of this.open.values()) {
      if (e.suppressed > 0) {
        this.log.warn(
          { peer: e.peer, reason: e.reason, count: e.suppressed, intervalMs: this.interval },
          'more observations rejected'
        )
      }
    }
    this.open.clear()
  }
}

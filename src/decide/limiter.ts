/** At most `max` tasks at once (reaction's `concurrency`; 0 = unlimited). */
export class Limiter {
  private readonly max: number
  private active = 0
  private readonly waiting: Array<() => void> = []
  private idleWaiters: Array<() => void> = []

  constructor (max: number) {
    this.max = max <= 0 ? Infinity : max
  }

  async run<T> (task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>(resolve => this.waiting.push(resolve))
    this.active++
    try {
      return await task()
    } finally {
      this.active--
      const next = this.waiting.shift()
      if (next !== undefined) next()
      else if (this.active === 0) { const w = this.idleWaiters; this.idleWaiters = []; w.forEach(f => f()) }
    }
  }

  idle (): Promise<void> {
    if (this.active === 0) return Promise.resolve()
    return new Promise(resolve => this.idleWaiters.push(resolve))
  }
}

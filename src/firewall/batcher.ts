/**
 * Coalescing of concurrent firewall changes. A burst of 10,000 `ban()` calls must become a
 * handful of `nft -f -` runs, not 10,000 processes (one process per IP into a 100k set falls to
 * ~70/s, see docs/platform-notes.md). Calls made while a flush is in flight wait in the queue and go together
 * in the next one; each caller's promise settles when the flush that carried its ops is done.
 */

/** Runs async jobs one at a time, in submission order (start, flushes, stop never overlap). */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve()

  run<T> (fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn)
    this.tail = next.catch(() => {})
    return next
  }
}

interface Pending<Op> {
  ops: readonly Op[]
  resolve: () => void
  reject: (err: unknown) => void
}

export class Batcher<Op> {
  private queue: Array<Pending<Op>> = []
  private draining: Promise<void> | null = null
  private readonly apply: (ops: Op[]) => Promise<void>

  /**
   * `apply` receives the ops of every queued call, in call order. When it fails for a batch of
   * several calls, the batch is split in halves and retried, so one bad element (an nft
   * interval overlap, an ipset timeout out of range) rejects only its own caller instead of
   * thousands of unrelated bans. A single call of several ops (reconcile's repairs, a restore)
   * is split the same way: its other elements are applied, and the call rejects with the error.
   */
  constructor (apply: (ops: Op[]) => Promise<void>) {
    this.apply = apply
  }

  submit (ops: readonly Op[]): Promise<void> {
    if (ops.length === 0) return Promise.resolve()
    const promise = new Promise<void>((resolve, reject) => { this.queue.push({ ops, resolve, reject }) })
    this.draining ??= this.drain()
    return promise
  }

  /** resolves once everything submitted so far has been applied (or rejected) */
  async idle (): Promise<void> {
    while (this.draining !== null) await this.draining
  }

  private async drain (): Promise<void> {
    // let calls made in the same tick join the first flush
    await new Promise<void>(resolve => setImmediate(resolve))
    try {
      while (this.queue.length > 0) {
        const group = this.queue
        this.queue = []
        await this.applyGroup(group)
      }
    } finally {
      this.draining = null
    }
  }

  private async applyGroup (group: Array<Pending<Op>>): Promise<void> {
    try {
      await this.apply(group.flatMap(p => p.ops))
    } catch (err) {
      if (group.length === 1) {
        const p = group[0]
        const failed = p.ops.length > 1 ? await this.isolate(p.ops) : err
        if (failed === null) p.resolve()
        else p.reject(failed)
        return
      }
      const mid = group.length >> 1
      await this.applyGroup(group.slice(0, mid))
      await this.applyGroup(group.slice(mid))
      return
    }
    for (const p of group) p.resolve()
  }

  /** Apply ops in halves down to the failing ones; the first error, or null when all went in on retry. */
  private async isolate (ops: readonly Op[]): Promise<unknown> {
    const mid = ops.length >> 1
    let first: unknown = null
    for (const half of [ops.slice(0, mid), ops.slice(mid)]) {
      try {
        await this.apply(half)
      } catch (err) {
        const e = half.length > 1 ? await this.isolate(half) : err
        first ??= e
      }
    }
    return first
  }
}

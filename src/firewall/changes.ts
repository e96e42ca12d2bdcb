import type { FirewallBan } from './types.ts'
import type { BanScope } from '../config/types.ts'
import { Batcher, type Serial } from './batcher.ts'
import { banOps, coalesce, unbanOps, type FirewallOp } from './ops.ts'
import { countApplied, type FirewallMetrics } from './metrics.ts'

/**
 * The ban/unban path of the kernel backends. A call's addresses are checked when it is made
 * (a bad one rejects that caller alone); calls are batched, each flush waits its turn on the
 * backend's Serial (never inside a start, setAllow or stop), is coalesced, applied by the
 * backend's one tool run, and counted.
 */
export class ChangeQueue {
  private readonly batcher: Batcher<FirewallOp>

  constructor (serial: Serial, metrics: FirewallMetrics, apply: (ops: readonly FirewallOp[]) => Promise<void>) {
    this.batcher = new Batcher(async ops => {
      await serial.run(async () => {
        const merged = coalesce(ops)
        await apply(merged)
        countApplied(metrics, merged)
      })
    })
  }

  ban (bans: readonly FirewallBan[]): Promise<void> {
    try { return this.batcher.submit(banOps(bans)) } catch (err) { return Promise.reject(err) }
  }

  unban (subjects: readonly string[], only?: { scope?: BanScope }): Promise<void> {
    try { return this.batcher.submit(unbanOps(subjects, only)) } catch (err) { return Promise.reject(err) }
  }

  /** resolves when every change submitted so far is applied */
  idle (): Promise<void> {
    return this.batcher.idle()
  }
}

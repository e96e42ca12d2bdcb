import type { Logger } from '../common/logger.ts'
import type { Decision } from '../common/model.ts'
import type { Firewall } from '../firewall/types.ts'
import type { DecisionSink } from './index.ts'

/**
 * Decisions → firewall. `apply` does not wait for the kernel: the backend coalesces bursts into
 * one transaction, and waiting here would serialise the engine behind each nft run (10,000 bans
 * a second need batching). `settled()` lets a caller that must know (the `ban` command, tests)
 * wait for every change handed over so far. A failure is logged and repaired by the reconcile loop.
 */
export class FirewallSink implements DecisionSink {
  readonly name = 'firewall'
  private readonly firewall: Firewall
  private readonly log: Logger
  private inflight = new Set<Promise<void>>()

  constructor (firewall: Firewall, logger: Logger) {
    this.firewall = firewall
    this.log = logger.child({ component: 'firewall' })
  }

  apply (d: Decision): void {
    const { ban } = d
    if (ban.ip === undefined || !ban.firewall) return
    const p = d.kind === 'ban'
      ? this.firewall.ban([{ subject: ban.ip, until: ban.until }])
      : this.firewall.unban([ban.ip])
    const tracked = p
      .catch(err => {
        this.log.error({ err, ip: ban.ip }, `firewall ${d.kind} failed; the reconcile loop will retry`)
      })
      .finally(() => this.inflight.delete(tracked))
    this.inflight.add(tracked)
  }

  async settled (): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight])
  }
}

/** What the federation offers the decision stage: publishing this node's own observations. */
export interface Publisher {
  publishBan (b: { ip: string, filter: string, count: number, observedAt: number, ttl: number }): Promise<void>
}

/**
 * Decisions → the collective. Only this node's own votes with `share` are published: when they
 * make a ban, or when this node joins a ban others made (its report is new information for
 * members with a quorum). Never remote votes, never repeats of our own, never bans restored at
 * start (those do not pass through sinks).
 */
export class PublishSink implements DecisionSink {
  readonly name = 'publish'
  private readonly publisher: Publisher
  private readonly log: Logger

  constructor (publisher: Publisher, logger: Logger) {
    this.publisher = publisher
    this.log = logger.child({ component: 'federation' })
  }

  apply (d: Decision): void {
    if (d.kind !== 'ban' || d.restored || (d.extended && d.newReporter !== true)) return
    const v = d.vote
    if (v === undefined || v.origin === 'remote' || v.share !== true || d.ban.ip === undefined) return
    void this.publisher
      .publishBan({
        ip: d.ban.ip,
        filter: v.filter,
        count: v.count,
        observedAt: v.observedAt,
        ttl: d.ban.until - d.ban.since
      })
      .catch(err => this.log.warn({ err, ip: d.ban.ip }, 'publishing observation failed'))
  }
}

import type { Logger } from '../common/logger.ts'
import type { Ban, Decision } from '../common/model.ts'
import type { BanScope, Config } from '../config/types.ts'
import type { Firewall, FirewallBan } from '../firewall/types.ts'
import { scopeRef } from '../firewall/scope.ts'
import type { DecisionSink } from './index.ts'

/**
 * Decisions → firewall. `apply` does not wait for the kernel: the backend coalesces bursts into
 * one transaction, and waiting here would serialise the engine behind each nft run (10,000 bans
 * a second need batching). `settled()` lets a caller that must know (the `ban` command, tests)
 * wait for every change handed over so far. A failure is logged and repaired by the reconcile loop.
 *
 * Ban scopes (a filter's `ports:` / `protocol:`) are decided here, from the configuration, so
 * the engine keeps one ban per key: a ban made by a local detection drops what its filter's
 * scope says; a remote, federated or manual one drops everything. When another filter (or a
 * remote or manual vote) extends a ban, its scope is added: the address is then in the sets of
 * both scopes, each element with the ban's one end. The first filter's scope is in the stored
 * ban (its `filter`); the scopes added later live here, so a restart restores a ban in its
 * first filter's scope only.
 */
export class FirewallSink implements DecisionSink {
  readonly name = 'firewall'
  private readonly firewall: Firewall
  private readonly log: Logger
  private readonly config: () => Pick<Config, 'streams'>
  private scopesFor: { config: Pick<Config, 'streams'>, byFilter: Map<string, BanScope> } | undefined
  /** subject → scope key → scope added by a later vote (undefined: every port) */
  private readonly added = new Map<string, Map<string, BanScope | undefined>>()
  private inflight = new Set<Promise<void>>()
  /**
   * Changes of one engine batch, handed over together: the engine applies a burst's decisions
   * in one synchronous run, so 5,000 bans become one `ban()` call, not 5,000 calls each with
   * its own parse, promise and queue entry. Consecutive changes of one kind share a call; a
   * change of kind starts the next, so the backend sees them in decision order.
   */
  private run: { kind: 'ban' | 'unban', bans: FirewallBan[], ips: string[] } | undefined

  constructor (firewall: Firewall, logger: Logger, config: () => Pick<Config, 'streams'> = () => ({ streams: {} })) {
    this.firewall = firewall
    this.log = logger.child({ component: 'firewall' })
    this.config = config
  }

  /** the scope of a local filter's ban under the configuration in force (reload included) */
  private filterScope (filter: string): BanScope | undefined {
    const config = this.config()
    if (this.scopesFor?.config !== config) {
      const byFilter = new Map<string, BanScope>()
      for (const s of Object.values(config.streams)) {
        for (const f of s.filters) if (f.scope !== undefined) byFilter.set(f.id, f.scope)
      }
      this.scopesFor = { config, byFilter }
    }
    return this.scopesFor.byFilter.get(filter)
  }

  private ownScope (origin: Ban['origin'], filter: string): BanScope | undefined {
    return origin === 'detect' ? this.filterScope(filter) : undefined
  }

  /** every scope the ban on `subject` drops: its own filter's, then those later votes added (stored or not yet) */
  private scopesOf (ban: Pick<Ban, 'origin' | 'filter' | 'also'>, subject: string): Array<BanScope | undefined> {
    const own = this.ownScope(ban.origin, ban.filter)
    const out = new Map<string, BanScope | undefined>([[scopeRef(own).key, own]])
    for (const a of ban.also ?? []) {
      const sc = this.ownScope(a.origin, a.filter)
      const k = scopeRef(sc).key
      if (!out.has(k)) out.set(k, sc)
    }
    for (const [k, sc] of this.added.get(subject) ?? []) if (!out.has(k)) out.set(k, sc)
    return [...out.values()]
  }

  apply (d: Decision): void {
    const { ban } = d
    if (ban.ip === undefined || !ban.firewall) return
    const ip = ban.ip
    if (d.kind === 'ban') {
      const v = d.vote
      if (v !== undefined) {
        const scope = this.ownScope(v.origin, v.filter)
        const key = scopeRef(scope).key
        if (key !== scopeRef(this.ownScope(ban.origin, ban.filter)).key) {
          let m = this.added.get(ip)
          if (m === undefined) this.added.set(ip, (m = new Map()))
          m.set(key, scope)
        }
      }
      const until = ban.until
      const run = this.runOf('ban')
      for (const scope of this.scopesOf(ban, ip)) {
        run.bans.push({ subject: ip, until, ...(scope === undefined ? {} : { scope }) })
      }
      run.ips.push(ip)
    } else {
      this.added.delete(ip)
      this.runOf('unban').ips.push(ip)
    }
  }

  private runOf (kind: 'ban' | 'unban'): NonNullable<FirewallSink['run']> {
    if (this.run?.kind === kind) return this.run
    if (this.run === undefined) queueMicrotask(() => this.flush())
    else this.flush()
    this.run = { kind, bans: [], ips: [] }
    return this.run
  }

  private flush (): void {
    const run = this.run
    if (run === undefined) return
    this.run = undefined
    let p: Promise<void>
    try {
      p = run.kind === 'ban' ? this.firewall.ban(run.bans) : this.firewall.unban(run.ips)
    } catch (err) {
      p = Promise.reject(err)
    }
    const tracked = p
      .catch(err => {
        const ip = run.ips.length === 1 ? run.ips[0] : undefined
        this.log.error({ err, ip, count: run.ips.length }, `firewall ${run.kind} failed; the reconcile loop will retry`)
      })
      .finally(() => this.inflight.delete(tracked))
    this.inflight.add(tracked)
  }

  /**
   * The kernel elements that `kernel` (the engine's bans in force, as subject and end) call for:
   * each in every scope of the bans on that subject. For the firewall's restore at start, the
   * reconcile loop's expected state and a table rebuild on reload.
   */
  withScopes (kernel: ReadonlyArray<{ subject: string, until: number }>, bans: Iterable<Ban>): FirewallBan[] {
    const scopes = new Map<string, Map<string, BanScope | undefined>>()
    for (const b of bans) {
      if (!b.firewall || b.ip === undefined) continue
      let m = scopes.get(b.ip)
      if (m === undefined) scopes.set(b.ip, (m = new Map()))
      for (const sc of this.scopesOf(b, b.ip)) m.set(scopeRef(sc).key, sc)
    }
    return kernel.flatMap(k => [...(scopes.get(k.subject)?.values() ?? [undefined])]
      .map(scope => ({ subject: k.subject, until: k.until, ...(scope === undefined ? {} : { scope }) })))
  }

  async settled (): Promise<void> {
    this.flush()
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

import type { Ban, Decision, Vote } from '../common/model.ts'
import type { CidrSet } from '../common/ip.ts'
import { monotonicOf } from '../common/clock.ts'
import type { DecideComponents, DecideInit, DecisionEngine, DecisionSink, KernelBan } from './index.ts'
import { Allowlist, type NeverBanSettings } from './allow.ts'
import { ExpiryQueue } from './expiry.ts'
import type { Offence } from './escalation.ts'
import { pruneDecisions, type DecisionRecord } from './history.ts'
import { RemoteBudget } from './remote-budget.ts'
import { banContaining, countByOrigin, explain, type BansByOrigin, type Explanation } from './lookup.ts'
import { gauge, type EngineState } from './state.ts'
import { commit } from './commit.ts'
import { countVote, countVotes } from './vote-path.ts'
import { lift, retract, revoke } from './lift.ts'
import { loadState, sweep } from './load.ts'
import { applyAllow, applyTrust } from './reload.ts'

export type { Offence, DecisionRecord, Explanation }

/** how often stale votes and forgotten offences are swept, ms */
const SWEEP_INTERVAL = 60_000
/** decision records older than this are deleted (they explain `show IP`, not more), ms */
const DECISION_HISTORY = 30 * 86_400_000
/** how often old decision records are pruned, ms */
const HISTORY_PRUNE_INTERVAL = 86_400_000

/**
 * The decision engine: its state (src/decide/state.ts), the one queue every change goes through,
 * and its timers. The paths live beside it: counting votes (vote-path.ts), writing a batch and
 * running the sinks (commit.ts, burst-log.ts), ending bans (lift.ts), start and sweep (load.ts),
 * reloads (reload.ts), `show` (lookup.ts).
 */
export class Engine implements DecisionEngine {
  private readonly s: EngineState
  private sweepTimer: { cancel(): void } | undefined
  private pruneTimer: { cancel(): void } | undefined
  /** serialises decisions so that a vote and an unban for one key cannot interleave */
  private queue: Promise<unknown> = Promise.resolve()

  constructor (init: DecideInit, c: DecideComponents) {
    this.s = {
      c,
      init,
      policy: { threshold: init.trust.threshold, quorum: init.trust.quorum, window: init.trust.window },
      allow: new Allowlist(init.allow, init.neverBan),
      log: c.logger.child({ component: 'decide' }),
      banMap: new Map(),
      deadline: new Map(),
      unstored: new Set(),
      votes: new Map(),
      offences: new Map(),
      sinks: [],
      expiry: new ExpiryQueue(c.clock, (key, until) => { void this.onDue(key, until) }),
      remoteBans: 0,
      remote: new RemoteBudget(
        init.trust.maxRemoteBans,
        init.trust.peers.filter(p => p.weight > 0 && !p.shadow).length
      ),
      storeFailureLoggedAt: -Infinity
    }
  }

  /** this member's share of `trust.maxRemoteBans` and the bans refused to it (`peer list`) */
  remoteBudgetOf (author: string): ReturnType<RemoteBudget['statsOf']> {
    return this.s.remote.statsOf(author)
  }

  subscribe (sink: DecisionSink): void {
    this.s.sinks.push(sink)
  }

  async start (): Promise<Ban[]> {
    await loadState(this.s)
    await this.pruneHistory()
    this.armSweep()
    gauge(this.s)
    return [...this.s.banMap.values()]
  }

  async stop (): Promise<void> {
    this.s.expiry.stop()
    this.sweepTimer?.cancel()
    this.pruneTimer?.cancel()
    await this.queue.catch(() => {})
  }

  bans (): Ban[] {
    return [...this.s.banMap.values()]
  }

  kernelBans (): KernelBan[] {
    const { c, banMap, deadline } = this.s
    const now = c.clock.now()
    const mono = monotonicOf(c.clock)
    const out: KernelBan[] = []
    for (const b of banMap.values()) {
      if (!b.firewall || b.ip === undefined) continue
      out.push({ subject: b.ip, until: now + (deadline.get(b.key) ?? mono + b.until - now) - mono })
    }
    return out
  }

  get (key: string): Ban | undefined {
    return this.s.banMap.get(key)
  }

  containing (subject: string): Ban | undefined {
    return banContaining(k => this.s.banMap.get(k), subject)
  }

  byOrigin (): BansByOrigin {
    return countByOrigin(this.s.banMap.values())
  }

  protectedReason (subject: string): string | null {
    return this.s.allow.why(subject)
  }

  setOwnAddresses (addresses: readonly string[]): void {
    this.s.allow.setOwnAddresses(addresses)
  }

  kernelAllow (): string[] {
    return this.s.allow.kernelEntries()
  }

  allowSet (): CidrSet {
    return this.s.allow.asCidrSet()
  }

  setAllow (allow: readonly string[], neverBan?: NeverBanSettings): Promise<Decision[]> {
    return this.serial(() => applyAllow(this.s, allow, neverBan))
  }

  setTrust (
    trust: DecideInit['trust'],
    peerOf?: (author: string) => { weight: number; shadow: boolean } | undefined
  ): Promise<Decision[]> {
    return this.serial(() => applyTrust(this.s, trust, peerOf))
  }

  vote (v: Vote): Promise<Decision | null> {
    return this.serial(async () => {
      const batch = this.s.c.store.batch()
      const made = countVote(this.s, v, batch)
      await commit(this.s, made === null ? [] : [made], batch)
      return made?.d ?? null
    })
  }

  voteMany (votes: readonly Vote[], done: readonly string[] = []): Promise<Array<Decision | null>> {
    return this.serial(async () => {
      const batch = this.s.c.store.batch()
      for (const id of done) batch.del('outbox', id)
      const { made, out } = countVotes(this.s, votes, batch)
      await commit(this.s, made, batch)
      return out
    })
  }

  unban (key: string): Promise<Decision | null> {
    return this.serial(() => lift(this.s, key, 'admin', true))
  }

  retract (author: string, key: string): Promise<Decision | null> {
    return this.serial(() => retract(this.s, author, key))
  }

  revoke (author: string): Promise<Decision[]> {
    return this.serial(() => revoke(this.s, author))
  }

  votesOn (key: string): readonly Vote[] {
    return [...(this.s.votes.get(key)?.values() ?? [])]
  }

  explain (key: string): Promise<Explanation> {
    return explain(this.s, key)
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn)
    this.queue = p.catch(() => {})
    return p
  }

  private async onDue (key: string, until: number): Promise<void> {
    await this.serial(async () => {
      const ban = this.s.banMap.get(key)
      if (ban === undefined || ban.until !== until) return null
      return await lift(this.s, key, 'expired', false)
    }).catch(err => this.s.log.error({ err, key }, 'ban expiry failed'))
  }

  private async pruneHistory (): Promise<void> {
    await pruneDecisions(this.s.c.store, this.s.c.clock.now() - DECISION_HISTORY)
    this.pruneTimer = this.s.c.clock.setTimeout(() => {
      void this.serial(() => this.pruneHistory()).catch(err => this.s.log.error({ err }, 'decision history prune failed'))
    }, HISTORY_PRUNE_INTERVAL)
  }

  private armSweep (): void {
    this.sweepTimer = this.s.c.clock.setTimeout(() => {
      void this.serial(() => sweep(this.s))
        .catch(err => this.s.log.error({ err }, 'vote sweep failed'))
        .finally(() => this.armSweep())
    }, SWEEP_INTERVAL)
  }
}

/**
 * Decide: the one decision engine. Every reason to ban — a local detection, an admin's
 * `palisade ban`, a verified report from a trusted peer — arrives as a `Vote`; the engine tallies
 * the live votes per key against the trust policy, checks the allowlist and never-ban classes
 * first, applies escalation, stores the decision with its reasons, and hands it to the sinks
 * (firewall, reaction-style actions, feed, gossip). Standalone mode is the same engine with no peers.
 *
 * @example
 * const engine = createDecisionEngine({ trust: config.trust, escalation: config.escalation, allow: config.allow },
 *   { store, clock, logger })
 * engine.subscribe(firewallSink)
 * const live = await engine.start()
 * await engine.vote({ key: ip, ip, values: { ip }, author: SELF, weight: 2, filter: 'ssh.fail', count: 3,
 *   observedAt: clock.now(), ttl: 3_600_000, origin: 'detect' })
 */
import type { Clock } from '../common/clock.ts'
import type { Logger } from '../common/logger.ts'
import type { Ban, Decision, Vote } from '../common/model.ts'
import type { EscalationConfig, TrustConfig } from '../config/types.ts'
import type { Metrics } from '../control/metrics-types.ts'
import type { Store, StoreBatch } from '../store/index.ts'
import { Engine } from './engine.ts'

export { Allowlist } from './allow.ts'
export { localVote, manualVote, triggerVote, type ManualBan } from './local-vote.ts'
export type { Offence, DecisionRecord, Explanation } from './engine.ts'

/** A ban as the kernel needs it: `until` re-expressed from the ban's monotonic remaining time. */
export interface KernelBan { subject: string, until: number }

/** A consumer of decisions. `prepare` adds its own records to the decision's store batch (atomic with it). */
export interface DecisionSink {
  name: string
  prepare? (d: Decision, batch: StoreBatch): void | Promise<void>
  apply (d: Decision): void | Promise<void>
}

export interface DecisionEngine {
  /** load bans, votes and offences; drop what expired while stopped; return the live bans */
  start(): Promise<Ban[]>
  stop(): Promise<void>
  subscribe(sink: DecisionSink): void
  /** count a vote; returns the decision it caused, if any */
  vote(v: Vote): Promise<Decision | null>
  /**
   * count a batch of votes (a burst) with ONE store write for all their decisions; `done` are
   * outbox entries deleted in that same write (the triggers these votes come from)
   */
  voteMany(votes: readonly Vote[], done?: readonly string[]): Promise<Array<Decision | null>>
  /** lift a ban here (admin); drops the key's votes so they cannot re-ban at once */
  unban(key: string): Promise<Decision | null>
  /** a reporter withdraws its vote (honorRetractions) */
  retract(author: string, key: string): Promise<Decision | null>
  /** drop every vote an author gave; bans that no longer stand are lifted */
  revoke(author: string): Promise<Decision[]>
  bans(): Ban[]
  /** bans the kernel must hold, each `until` = now + its remaining time on the monotonic clock */
  kernelBans(): KernelBan[]
  get(key: string): Ban | undefined
  /** the live votes on a key (read-only: the feed's provenance) */
  votesOn(key: string): readonly Vote[]
  /** the ban on this address, or the narrowest prefix ban containing it */
  containing(subject: string): Ban | undefined
  /** bans in force by origin (`palisade status`) */
  byOrigin(): import('./lookup.ts').BansByOrigin
  explain(key: string): Promise<import('./engine.ts').Explanation>
  /** why a subject may not be banned (allowlist, never-ban class, own address), or null */
  protectedReason(subject: string): string | null
  setOwnAddresses(addresses: readonly string[]): void
  /** allowlist CIDRs for the kernel */
  kernelAllow(): string[]
  allowSet(): import('../common/ip.ts').CidrSet
  /** a reload's allowlist and never-ban settings; lifts the bans they now protect */
  setAllow(allow: readonly string[], neverBan?: import('./allow.ts').NeverBanSettings): Promise<Decision[]>
  /** a reload's trust arithmetic; lifts the bans that no longer stand */
  setTrust(
    trust: TrustConfig,
    peerOf?: (author: string) => { weight: number; shadow: boolean } | undefined
  ): Promise<Decision[]>
}

export interface DecideInit {
  trust: TrustConfig
  escalation: EscalationConfig | null
  allow: readonly string[]
  /** optional never-ban classes that stay protected (default: all) */
  neverBan?: import('./allow.ts').NeverBanSettings
}

export interface DecideComponents {
  store: Store
  clock: Clock
  logger: Logger
  metrics?: Metrics
  /**
   * A burst (more than 50 decisions in one batch) is logged as one summary line per filter;
   * this receives the per-ban lines that summary stands for, exactly as they would have been
   * logged, so a stream reading Palisade's own log (the recidive preset) counts every ban. The
   * lines are made only when asked for: most daemons run no such stream.
   */
  banLines?: (lines: () => readonly string[]) => void
}

export function createDecisionEngine (init: DecideInit, components: DecideComponents): DecisionEngine {
  return new Engine(init, components)
}

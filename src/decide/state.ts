import type { Ban, Decision, Vote } from '../common/model.ts'
import type { Logger } from '../common/logger.ts'
import type { DecideComponents, DecideInit, DecisionSink } from './index.ts'
import type { Allowlist } from './allow.ts'
import type { ExpiryQueue } from './expiry.ts'
import type { TallyPolicy } from './tally.ts'
import type { Offence } from './escalation.ts'
import type { RemoteBudget } from './remote-budget.ts'

/**
 * What the decision engine knows, shared by its paths (src/decide/vote-path.ts, lift.ts,
 * commit.ts, load.ts, reload.ts). Only the engine's serial queue touches it, so a vote and an
 * unban of one key never interleave.
 */
export interface EngineState {
  readonly c: DecideComponents
  init: DecideInit
  readonly policy: TallyPolicy
  readonly allow: Allowlist
  readonly log: Logger
  readonly banMap: Map<string, Ban>
  /** monotonic reading at which each ban ends: its remaining time, immune to wall-clock steps */
  readonly deadline: Map<string, number>
  /** keys whose ban (or its removal) a failed write did not store: re-written with the next batch that works */
  readonly unstored: Set<string>
  readonly votes: Map<string, Map<string, Vote>>
  readonly offences: Map<string, Offence>
  readonly sinks: DecisionSink[]
  readonly expiry: ExpiryQueue
  remoteBans: number
  remote: RemoteBudget
  storeFailureLoggedAt: number
}

/** A decision staged in a batch, waiting for the batch's write before its sinks run. */
export interface Made { d: Decision, why: string }

export function votesOf (s: EngineState, key: string): Map<string, Vote> {
  let m = s.votes.get(key)
  if (m === undefined) {
    m = new Map()
    s.votes.set(key, m)
  }
  return m
}

export function voteKey (key: string, author: string): string {
  return `${key}\0${author}`
}

/** an offence no longer raises the next ban (escalation off, or remembered long enough) */
export function forgotten (s: EngineState, o: Offence, now: number): boolean {
  return s.init.escalation === null || o.lastAt + o.lastDuration + s.init.escalation.remember <= now
}

/** the newest vote on a key, which speaks for it when the key is tallied again */
export function newestVote (votes: Iterable<Vote> | undefined): Vote | undefined {
  let newest: Vote | undefined
  for (const v of votes ?? []) if (newest === undefined || v.observedAt > newest.observedAt) newest = v
  return newest
}

export function gauge (s: EngineState): void {
  s.c.metrics?.gauge('palisade_decide_bans_active', 'bans in force').set(s.banMap.size)
}

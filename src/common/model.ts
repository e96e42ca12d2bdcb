/**
 * The typed messages at which the stages meet:
 *   detect ──Match──▶ counters ──Trigger──▶ Vote(self) ─┐
 *   federation ──verified observation──▶ Vote(peer) ────┴─▶ decide ──Decision──▶ firewall / actions / store /
 *                                                                                feed / gossip
 */

/** One regex hit in one log line, after pattern validation (the IP is canonical and masked). */
export interface Match {
  /** `stream.filter` */
  filter: string
  /** value per pattern name, in the filter's pattern order (`{ ip: '203.0.113.7' }`) */
  values: Record<string, string>
  /**
   * the key counters and decisions use: the IP subject when the filter has exactly one IP-typed
   * pattern, else the values joined with a tab in pattern order (reaction's match tuple)
   */
  key: string
  /** the IP subject (address or masked prefix) when the filter has an IP-typed pattern */
  ip?: string
  /** ms since epoch: when the line was read (or, for journald, the entry's realtime timestamp) */
  time: number
}

/** Who cast a vote: this node, or a remote author's peer id. */
export const SELF = 'self'

export type VoteOrigin = 'detect' | 'manual' | 'remote'

/** A statement that `key` should be banned, by one author. Local detections are votes by SELF. */
export interface Vote {
  key: string
  ip?: string
  values: Record<string, string>
  /** SELF or a peer id */
  author: string
  weight: number
  /** `stream.filter` for local votes; the observation's filter name for remote ones */
  filter: string
  /** matches that led to the vote */
  count: number
  observedAt: number
  /** how long the author asks the ban to last, ms (0 = the filter has no ban duration) */
  ttl: number
  origin: VoteOrigin
  reason?: string
  /** publish this vote to the collective (local votes only) */
  share?: boolean
  /** a shadow peer's vote: evaluated and logged, never bans */
  shadow?: boolean
  /** the resulting ban is enforced by the firewall backend (default true; false for action-only reaction filters) */
  firewall?: boolean
}

/** A ban in force. */
export interface Ban {
  key: string
  ip?: string
  values: Record<string, string>
  /** the filter that caused it (first vote's filter for remote bans) */
  filter: string
  origin: VoteOrigin
  since: number
  /** ms since epoch; Infinity is never used: every ban ends */
  until: number
  /** escalation level: 0 for a first offence */
  level: number
  /** authors whose votes made the ban (SELF included) */
  reporters: string[]
  reason?: string
  /** enforced by the firewall backend (false for reaction-style filters that only run actions) */
  firewall: boolean
  /**
   * the other filters and origins whose votes extended it (at most MAX_ALSO): stored with the ban, so
   * that each of their ban scopes is restored after a restart as well as its first filter's
   */
  also?: Array<{ filter: string, origin: VoteOrigin }>
}

/** bound of `Ban.also`: a remote vote's filter is a peer's text, and each entry may cost kernel sets */
export const MAX_ALSO = 16

export type Decision =
  | { kind: 'ban', ban: Ban, /** an existing ban was extended, not created */ extended: boolean, restored: boolean, /** the vote that caused it */ vote?: Vote, /** that vote's author was not yet among the ban's reporters */ newReporter?: boolean }
  | { kind: 'unban', ban: Ban, why: 'expired' | 'admin' | 'retracted' | 'revoked' | 'allowed' | 'untrusted' }

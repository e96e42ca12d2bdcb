import { SELF, type Match, type Vote } from '../common/model.ts'
import type { FilterConfig, PatternConfig } from '../config/types.ts'
import { matchOfValues } from '../detect/manual-match.ts'

/**
 * This node's vote for a filter's match: the one builder for a detection and for
 * `palisade trigger`, so both carry the same key, duration, weight and sharing.
 */
export function localVote (f: FilterConfig, m: Pick<Match, 'key' | 'ip' | 'values'>, count: number, weight: number, now: number): Vote {
  // an action-only (reaction) filter "bans" for as long as its last action waits
  const ttl = f.ban > 0 ? f.ban : Math.max(0, ...f.actions.map(a => a.after))
  return {
    key: m.key, ip: m.ip, values: m.values, author: SELF, weight, filter: f.id, count,
    observedAt: now, ttl, origin: 'detect', share: f.share, firewall: f.ban > 0
  }
}

/**
 * `palisade trigger STREAM.FILTER name=value…`: the values get what a log line's captures get
 * (the pattern's mask and ignore lists, src/detect/manual-match.ts), then the vote a detection
 * casts, with the filter's retry as its count so it reaches the threshold as a detection would.
 */
export function triggerVote (f: FilterConfig, patterns: Readonly<Record<string, PatternConfig>>,
  given: Readonly<Record<string, unknown>>, weight: number, now: number): Vote {
  return localVote(f, matchOfValues(f, patterns, given, now), f.retry, weight, now)
}

export interface ManualBan {
  /** a normalised address or prefix */
  subject: string
  ttl: number
  reason?: string
  share: boolean
}

/** `palisade ban`: the admin's vote, weighed to ban alone whatever the threshold. */
export function manualVote (b: ManualBan, trust: { localWeight: number, threshold: number }, now: number): Vote {
  return {
    key: b.subject, ip: b.subject, values: { ip: b.subject }, author: SELF,
    weight: Math.max(trust.localWeight, trust.threshold), filter: 'manual', count: 1, observedAt: now,
    ttl: b.ttl, origin: 'manual', reason: b.reason, share: b.share, firewall: true
  }
}

import { SELF, type Match, type Vote } from '../common/model.ts'
import type { FilterConfig } from '../config/types.ts'

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

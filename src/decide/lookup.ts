import { maskIp, parseSubject } from '../common/ip.ts'
import type { Ban, Vote, VoteOrigin } from '../common/model.ts'
import type { Offence } from './escalation.ts'
import { recentDecisions, type DecisionRecord } from './history.ts'
import type { EngineState } from './state.ts'

/**
 * The ban in force on this address: its own, or the narrowest prefix ban that contains it
 * (detection bans `2001:db8:1::/64` when a pattern's ipv6mask is 64, and an admin asking about
 * `2001:db8:1::7` means that ban). One map lookup per prefix length (at most 129), never a scan
 * of every ban: `show ADDR` stays cheap with a million bans.
 */
export function banContaining (get: (key: string) => Ban | undefined, subject: string): Ban | undefined {
  const own = get(subject)
  if (own !== undefined) return own
  const s = parseSubject(subject)
  if (s === null) return undefined
  for (let bits = s.prefixLength - 1; bits >= 0; bits--) {
    const ban = get(maskIp(s.address, bits))
    if (ban !== undefined) return ban
  }
  return undefined
}

export type BansByOrigin = Record<VoteOrigin, number>

export function countByOrigin (bans: Iterable<Ban>): BansByOrigin {
  const n: BansByOrigin = { detect: 0, manual: 0, remote: 0 }
  for (const b of bans) n[b.origin] = (n[b.origin] ?? 0) + 1
  return n
}

export interface Explanation {
  key: string
  ban?: Ban
  protected: string | null
  votes: Vote[]
  offence?: Offence
  decisions: DecisionRecord[]
}

/** Everything `palisade show KEY` tells about one key: its ban, protection, live votes, offence, history. */
export async function explain (s: EngineState, key: string): Promise<Explanation> {
  const decisions = await recentDecisions(s.c.store, key)
  const why = s.allow.why(key)
  return {
    key,
    ban: s.banMap.get(key),
    protected: why === 'invalid' ? null : why,
    votes: [...(s.votes.get(key)?.values() ?? [])],
    offence: s.offences.get(key),
    decisions
  }
}

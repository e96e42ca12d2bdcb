import { SELF, type Vote } from '../common/model.ts'

/**
 * The vote arithmetic, pure. A ban happens when the live, non-shadow votes for one key reach
 * both the weight threshold and the quorum of distinct authors — except that this node's own
 * vote bans alone when its weight reaches the threshold (a local detection is decisive by
 * default: localWeight = threshold). One author counts once per key, however many times or
 * through however many relays it reported.
 */
export interface TallyPolicy {
  threshold: number
  quorum: number
  /** ms: a vote older than this no longer counts */
  window: number
}

export interface Tally {
  weight: number
  authors: string[]
  /** shadow authors that would have counted */
  shadow: string[]
  decisive: boolean
  /** this node's own live vote is among the counted ones */
  local: boolean
}

export function tally (votes: Iterable<Vote>, policy: TallyPolicy, now: number): Tally {
  let weight = 0
  let localDecisive = false
  let local = false
  const authors: string[] = []
  const shadow: string[] = []
  for (const v of votes) {
    if (!isLive(v, policy, now)) continue
    if (v.shadow === true) { shadow.push(v.author); continue }
    weight += v.weight
    authors.push(v.author)
    if (v.author === SELF) {
      local = true
      if (v.weight >= policy.threshold) localDecisive = true
    }
  }
  const decisive = localDecisive || (weight >= policy.threshold && authors.length >= policy.quorum)
  return { weight, authors, shadow, decisive, local }
}

/** A local vote lives as long as its ban asks (at least the window); a remote one for the window. */
export function isLive (v: Vote, policy: TallyPolicy, now: number): boolean {
  const life = v.author === SELF ? Math.max(policy.window, v.ttl) : policy.window
  return v.observedAt + life > now && v.observedAt <= now + 5 * 60_000
}

import { MAX_ALSO, SELF, type Ban, type Decision, type Vote } from '../common/model.ts'
import { ErrorCodes, palisadeError } from '../common/errors.ts'
import { monotonicOf } from '../common/clock.ts'
import { clampDuration } from '../common/duration.ts'
import type { StoreBatch } from '../store/index.ts'
import { tally } from './tally.ts'
import { nextBanDuration, type Offence } from './escalation.ts'
import { stage } from './commit.ts'
import { voteKey, votesOf, type EngineState, type Made } from './state.ts'

/**
 * Count one vote into `batch`: the allowlist first, then the key's live votes against the trust
 * policy, the remote budget, escalation. The decision it makes is already the engine's state
 * when this returns (the next vote of the batch sees it); its sinks wait for the batch's write.
 * A manual vote on a protected subject throws; any other refused vote returns null.
 */
export function countVote (s: EngineState, v: Vote, batch: StoreBatch): Made | null {
  const now = s.c.clock.now()
  const m = s.c.metrics
  if (v.ip !== undefined) {
    const why = s.allow.why(v.ip)
    if (why !== null) {
      m?.counter('palisade_decide_votes_refused_total', 'votes refused because the subject is protected', ['why'])
        .inc({ why })
      s.log.debug({ ip: v.ip, author: v.author, filter: v.filter, why }, 'vote refused: protected address')
      if (v.origin === 'detect') s.allow.refused(why, v.ip, now, s.log, m)
      if (v.origin === 'manual') {
        throw palisadeError(ErrorCodes.DECIDE_ALLOWLISTED, `${v.ip} is protected (${why}) and cannot be banned`)
      }
      return null
    }
  }
  m?.counter('palisade_decide_votes_total', 'votes counted', ['origin']).inc({ origin: v.origin })
  const votes = votesOf(s, v.key)
  const previous = votes.get(v.author)
  // one author counts once per key: keep its latest statement, never let a replay shorten it
  if (previous === undefined || previous.observedAt <= v.observedAt) votes.set(v.author, v)
  const t = tally(votes.values(), s.policy, now)
  batch.put('votes', voteKey(v.key, v.author), v)
  if (!t.decisive) {
    if (t.shadow.length > 0 && tally([...votes.values()].map(x => ({ ...x, shadow: false })), s.policy, now).decisive) {
      s.log.info({ ip: v.ip, shadow: t.shadow, weight: t.weight }, 'shadow votes would have banned')
    }
    return null
  }
  const existing = s.banMap.get(v.key)
  const self = t.local ? votes.get(SELF) : undefined
  const asked = clampDuration(self !== undefined ? self.ttl : s.init.trust.banFor)
  const firewall = (self ?? v).firewall !== false
  const refused = existing === undefined && !t.local ? s.remote.refusal(v.key, t.authors) : null
  if (refused !== null) {
    m?.counter('palisade_decide_remote_bans_capped_total', 'remote bans refused by trust.maxRemoteBans').inc()
    s.log.warn(
      { ip: v.ip, cap: s.init.trust.maxRemoteBans, why: refused, authors: t.authors },
      refused === 'cap'
        ? 'remote ban refused: maxRemoteBans reached'
        : 'remote ban refused: its reporters hold their share of maxRemoteBans'
    )
    return null
  }
  let ban: Ban
  if (existing !== undefined) {
    // remote votes and repeats only ever lengthen a ban, never shorten it (measured on the
    // monotonic clock: a wall-clock step must not make a repeat look longer or shorter)
    const left = (s.deadline.get(v.key) ?? 0) - monotonicOf(s.c.clock)
    const until = asked > left ? now + asked : existing.until
    ban = {
      ...existing,
      until,
      reporters: mergeReporters(existing.reporters, t.authors),
      firewall: existing.firewall || firewall
    }
    const also = mergeAlso(existing, v)
    if (also !== existing.also) ban.also = also
  } else {
    const esc = firewall && asked > 0
      ? nextBanDuration(s.offences.get(v.key), asked, s.init.escalation, now)
      : { duration: asked, level: 0 }
    ban = {
      key: v.key,
      ip: v.ip,
      values: v.values,
      filter: (self ?? v).filter,
      origin: (self ?? v).origin,
      since: now,
      until: now + esc.duration,
      level: esc.level,
      reporters: t.authors,
      reason: (self ?? v).reason,
      firewall
    }
    if (firewall && asked > 0) {
      const o: Offence = { count: esc.level + 1, lastDuration: esc.duration, lastAt: now }
      s.offences.set(v.key, o)
      batch.put('offences', v.key, o)
    }
  }
  const newReporter = existing === undefined || !existing.reporters.includes(v.author)
  const d: Decision = { kind: 'ban', ban, extended: existing !== undefined, restored: false, vote: v, newReporter }
  return stage(s, d, batch, existing !== undefined ? 'extended' : 'votes reached threshold', [...votes.values()])
}

/**
 * A burst's votes into one batch. One refused vote (a protected address) must not cost the
 * others of the batch: it is logged and answers null in its place.
 */
export function countVotes (
  s: EngineState,
  votes: readonly Vote[],
  batch: StoreBatch
): { made: Made[], out: Array<Decision | null> } {
  const made: Made[] = []
  const out: Array<Decision | null> = []
  for (const v of votes) {
    let m: Made | null = null
    try {
      m = countVote(s, v, batch)
    } catch (err) {
      s.log.warn({ err, ip: v.ip, filter: v.filter }, 'vote refused')
    }
    if (m !== null) made.push(m)
    out.push(m?.d ?? null)
  }
  return { made, out }
}

/** `ban.also` with the vote's filter and origin, when they are new to the ban; the same array otherwise */
function mergeAlso (ban: Ban, v: Vote): Ban['also'] {
  // a remote or manual vote drops every port whatever its filter: one entry per origin is enough
  const filter = v.origin === 'detect' ? v.filter : ''
  const same = (x: { filter: string, origin: string }): boolean => x.origin === v.origin && x.filter === filter
  if ((ban.origin === v.origin && (v.origin !== 'detect' || ban.filter === filter)) || ban.also?.some(same) === true) {
    return ban.also
  }
  if ((ban.also?.length ?? 0) >= MAX_ALSO) return ban.also
  return [...(ban.also ?? []), { filter, origin: v.origin }]
}

function mergeReporters (a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])]
}

import { SELF, type Ban, type Vote } from '../common/model.ts'
import { monotonicOf } from '../common/clock.ts'
import { MAX_DURATION_MS } from '../common/duration.ts'
import { isLive } from './tally.ts'
import type { Offence } from './escalation.ts'
import { addUnstored } from './commit.ts'
import { forgotten, voteKey, votesOf, type EngineState } from './state.ts'

/**
 * The engine's state across restarts: what start() loads (bans, live votes, remembered offences,
 * dropping what expired while stopped, in one batch) and what the periodic sweep forgets.
 */
export async function loadState (s: EngineState): Promise<void> {
  const now = s.c.clock.now()
  const batch = s.c.store.batch()
  for await (const [key, stored] of s.c.store.entries<Ban>('bans')) {
    if (stored.until <= now) {
      batch.del('bans', key)
      continue
    }
    // a ban stored past the global bound (an older version, a bug) would break every date printer
    const ban = stored.until - now > MAX_DURATION_MS || !Number.isFinite(stored.until)
      ? { ...stored, until: now + MAX_DURATION_MS }
      : stored
    if (ban !== stored) batch.put('bans', key, ban)
    s.banMap.set(key, ban)
    s.deadline.set(key, monotonicOf(s.c.clock) + ban.until - now)
    if (!ban.reporters.includes(SELF)) s.remoteBans++
    s.remote.update(key, ban.reporters.includes(SELF) ? null : ban.reporters)
    s.expiry.push(key, ban.until)
  }
  for await (const [k, v] of s.c.store.entries<Vote>('votes')) {
    if (!isLive(v, s.policy, now)) {
      batch.del('votes', k)
      continue
    }
    votesOf(s, v.key).set(v.author, v)
  }
  for await (const [key, o] of s.c.store.entries<Offence>('offences')) {
    if (forgotten(s, o, now)) batch.del('offences', key)
    else s.offences.set(key, o)
  }
  await batch.write()
}

/** Stale votes and forgotten offences go; bans a failed write lost are written again. */
export async function sweep (s: EngineState): Promise<void> {
  const now = s.c.clock.now()
  const batch = s.c.store.batch()
  for (const [key, votes] of s.votes) {
    for (const [author, v] of votes) {
      if (!isLive(v, s.policy, now)) {
        votes.delete(author)
        batch.del('votes', voteKey(key, author))
      }
    }
    if (votes.size === 0) s.votes.delete(key)
  }
  for (const [key, o] of s.offences) {
    if (forgotten(s, o, now)) {
      s.offences.delete(key)
      batch.del('offences', key)
    }
  }
  const retried = addUnstored(s, batch)
  await batch.write()
  for (const key of retried) s.unstored.delete(key)
}

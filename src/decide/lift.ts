import { SELF, type Decision } from '../common/model.ts'
import { tally } from './tally.ts'
import { commit, stage } from './commit.ts'
import { countVote } from './vote-path.ts'
import { newestVote, voteKey, type EngineState, type Made } from './state.ts'

/**
 * The paths that end bans: an admin's unban, expiry, a reporter retracting or being revoked, a
 * reload that no longer trusts the votes a ban stands on. Each runs inside the engine's serial queue.
 */

export type UnbanWhy = Extract<Decision, { kind: 'unban' }>['why']

/** End a ban; `dropVotes` also forgets every vote on the key (an admin's unban must not re-ban at once). */
export async function lift (s: EngineState, key: string, why: UnbanWhy, dropVotes: boolean): Promise<Decision | null> {
  const ban = s.banMap.get(key)
  if (ban === undefined) return null
  const batch = s.c.store.batch().del('bans', key)
  if (dropVotes) {
    for (const author of s.votes.get(key)?.keys() ?? []) batch.del('votes', voteKey(key, author))
    s.votes.delete(key)
  } else if (s.votes.get(key)?.delete(SELF) === true) {
    // this node's detection was spent on the ban that just ended: a later remote report must
    // not find it still "live" and re-ban at once on the strength of an old local vote
    batch.del('votes', voteKey(key, SELF))
  }
  const d: Decision = { kind: 'unban', ban, why }
  await commit(s, [stage(s, d, batch, why, [])], batch)
  if (s.remote.hasWaiting()) await retallyWaiting(s)
  return d
}

/** A ban that no longer stands on its live votes is lifted; never a manual or a local one. */
export async function reevaluate (s: EngineState, key: string, why: 'retracted' | 'revoked' | 'untrusted'): Promise<Decision | null> {
  const ban = s.banMap.get(key)
  if (ban === undefined) return null
  const t = tally(s.votes.get(key)?.values() ?? [], s.policy, s.c.clock.now())
  if (t.decisive || ban.origin === 'manual' || t.local) return null
  return await lift(s, key, why, false)
}

export async function retract (s: EngineState, author: string, key: string): Promise<Decision | null> {
  const votes = s.votes.get(key)
  if (votes?.delete(author) !== true) return null
  await s.c.store.del('votes', voteKey(key, author))
  // a ban that stands on the other votes no longer names the author that withdrew
  const ban = s.banMap.get(key)
  if (ban?.reporters.includes(author) === true) {
    const kept = { ...ban, reporters: ban.reporters.filter(a => a !== author) }
    s.banMap.set(key, kept)
    await s.c.store.put('bans', key, kept)
  }
  return await reevaluate(s, key, 'retracted')
}

export async function revoke (s: EngineState, author: string): Promise<Decision[]> {
  const out: Decision[] = []
  const batch = s.c.store.batch()
  const touched: string[] = []
  for (const [key, votes] of s.votes) {
    if (votes.delete(author)) {
      batch.del('votes', voteKey(key, author))
      touched.push(key)
    }
  }
  await batch.write()
  for (const key of touched) {
    const d = await reevaluate(s, key, 'revoked')
    if (d !== null) out.push(d)
  }
  return out
}

/** Room appeared in the remote budget: bans refused for room are tallied again, oldest first. */
async function retallyWaiting (s: EngineState): Promise<void> {
  const batch = s.c.store.batch()
  const made: Made[] = []
  for (const key of s.remote.takeWaiting()) {
    if (s.banMap.has(key)) continue
    const newest = newestVote(s.votes.get(key)?.values())
    const m = newest === undefined ? null : countVote(s, newest, batch)
    if (m !== null) made.push(m)
  }
  await commit(s, made, batch)
}

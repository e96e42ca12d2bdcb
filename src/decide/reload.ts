import { SELF, type Decision } from '../common/model.ts'
import type { TrustConfig } from '../config/types.ts'
import type { NeverBanSettings } from './allow.ts'
import { RemoteBudget } from './remote-budget.ts'
import { commit } from './commit.ts'
import { lift, reevaluate } from './lift.ts'
import { countVote } from './vote-path.ts'
import { newestVote, voteKey, type EngineState, type Made } from './state.ts'

/** A reload's allowlist: bans of subjects it now protects are lifted, each logged with why. */
export async function applyAllow (
  s: EngineState,
  allow: readonly string[],
  neverBan?: NeverBanSettings
): Promise<Decision[]> {
  s.allow.set(allow, neverBan)
  const out: Decision[] = []
  for (const ban of [...s.banMap.values()]) {
    const why = s.allow.why(ban.ip ?? ban.key)
    if (why === null || why === 'invalid') continue
    const d = await lift(s, ban.key, 'allowed', true)
    if (d === null) continue
    out.push(d)
    s.log.info({ ip: ban.ip, why }, `ban lifted: ${ban.ip ?? ban.key} is protected by the reloaded configuration (${why})`)
  }
  return out
}

/**
 * A reload's vote arithmetic (threshold, quorum, window, banFor, maxRemoteBans) and, through
 * `peerOf`, each remote author's new weight and shadow flag for the votes already counted.
 * Every key is tallied again: bans that no longer stand on their votes are lifted (never a
 * manual or a local one, as when a vote is retracted), votes that now reach the threshold ban.
 */
export async function applyTrust (
  s: EngineState,
  trust: TrustConfig,
  peerOf?: (author: string) => { weight: number; shadow: boolean } | undefined
): Promise<Decision[]> {
  s.init = { ...s.init, trust }
  s.policy.threshold = trust.threshold
  s.policy.quorum = trust.quorum
  s.policy.window = trust.window
  s.remote = new RemoteBudget(trust.maxRemoteBans, trust.peers.filter(p => p.weight > 0 && !p.shadow).length)
  for (const b of s.banMap.values()) s.remote.update(b.key, b.reporters.includes(SELF) ? null : b.reporters)
  const reweighed = s.c.store.batch()
  for (const [key, votes] of s.votes) {
    for (const [author, v] of votes) {
      const p = author === SELF ? undefined : peerOf?.(author)
      if (p === undefined || (p.weight === v.weight && p.shadow === (v.shadow === true))) continue
      const w = { ...v, weight: p.weight, shadow: p.shadow }
      votes.set(author, w)
      reweighed.put('votes', voteKey(key, author), w)
    }
  }
  await reweighed.write()
  const out: Decision[] = []
  for (const key of [...s.banMap.keys()]) {
    const d = await reevaluate(s, key, 'untrusted')
    if (d !== null) out.push(d)
  }
  const batch = s.c.store.batch()
  const made: Made[] = []
  for (const [key, votes] of s.votes) {
    if (s.banMap.has(key)) continue
    const newest = newestVote(votes.values())
    if (newest === undefined) continue
    try {
      const m = countVote(s, newest, batch)
      if (m !== null) made.push(m)
    } catch {
      /* a protected subject: refused as its vote was */
    }
  }
  await commit(s, made, batch)
  return [...out, ...made.map(m => m.d)]
}

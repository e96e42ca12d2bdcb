import type { Decision, Vote } from '../common/model.ts'
import type { Store, StoreBatch } from '../store/index.ts'

/**
 * The decision history (area `decisions`): one record per decision with its reasons, keyed by
 * subject then time, so `palisade show IP` reads one key's newest records with one range read.
 */
export interface DecisionRecord {
  at: number
  kind: 'ban' | 'unban'
  why: string
  until?: number
  level?: number
  votes: Array<Pick<Vote, 'author' | 'weight' | 'filter' | 'count' | 'observedAt' | 'origin' | 'shadow'>>
}

/** decisions kept per key for `show IP` */
const DECISIONS_PER_KEY = 50

export function putDecision (batch: StoreBatch, d: Decision, why: string, votes: readonly Vote[], now: number): void {
  const ban = d.ban
  const record: DecisionRecord = {
    at: now,
    kind: d.kind,
    why,
    until: d.kind === 'ban' ? ban.until : undefined,
    level: ban.level,
    votes: votes.map(v => ({
      author: v.author,
      weight: v.weight,
      filter: v.filter,
      count: v.count,
      observedAt: v.observedAt,
      origin: v.origin,
      shadow: v.shadow
    }))
  }
  batch.put('decisions', `${ban.key}\0${String(now).padStart(15, '0')}`, record)
}

export async function recentDecisions (store: Store, key: string): Promise<DecisionRecord[]> {
  const out: DecisionRecord[] = []
  for await (const [, r] of store.entries<DecisionRecord>('decisions', {
    gte: `${key}\0`,
    lt: `${key}\u0001`,
    reverse: true,
    limit: DECISIONS_PER_KEY
  })) { out.push(r) }
  return out
}

/** The history is keyed by subject, so an age cut is a full scan (done at start and daily). */
export async function pruneDecisions (store: Store, cutoff: number): Promise<void> {
  let batch = store.batch()
  for await (const [k, r] of store.entries<DecisionRecord>('decisions')) {
    if (r.at >= cutoff) continue
    batch.del('decisions', k)
    if (batch.length >= 10_000) { await batch.write(); batch = store.batch() }
  }
  await batch.write()
}

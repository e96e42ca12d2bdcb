import { SELF, type Decision, type Vote } from '../common/model.ts'
import { monotonicOf } from '../common/clock.ts'
import type { StoreBatch } from '../store/index.ts'
import { putDecision } from './history.ts'
import { logDecisions } from './burst-log.ts'
import { gauge, type EngineState, type Made } from './state.ts'

/** a failing store (full disk) is logged at most this often, ms */
const STORE_FAILURE_LOG_INTERVAL = 60_000

/**
 * Put the decision and its reasons into the batch and make it the engine's state at once, so
 * that the next vote of the same batch sees it; the sinks act in commit(), after the write.
 */
export function stage (s: EngineState, d: Decision, batch: StoreBatch, why: string, votes: readonly Vote[]): Made {
  const now = s.c.clock.now()
  const ban = d.ban
  putDecision(batch, d, why, votes, now)
  const before = s.banMap.get(ban.key)
  const wasRemote = before !== undefined && !before.reporters.includes(SELF)
  if (d.kind === 'ban') {
    batch.put('bans', ban.key, ban)
    s.banMap.set(ban.key, ban)
    if (before?.until !== ban.until) {
      const due = monotonicOf(s.c.clock) + ban.until - now
      s.deadline.set(ban.key, due)
      s.expiry.push(ban.key, ban.until, due)
    }
  } else {
    s.banMap.delete(ban.key)
    s.deadline.delete(ban.key)
  }
  const isRemote = d.kind === 'ban' && !ban.reporters.includes(SELF)
  s.remoteBans += (isRemote ? 1 : 0) - (wasRemote ? 1 : 0)
  s.remote.update(ban.key, isRemote ? ban.reporters : null)
  return { d, why }
}

/**
 * Write the batch (every staged decision with what the sinks add to it, atomically), then let
 * the sinks act. A failing store (full disk) does not stop protection: the decisions stand in
 * memory and in the kernel; the failure is counted and logged once a minute.
 *
 * Per decision only what must be: a sink's `prepare`/`apply` result is awaited only when it is
 * a promise (5,000 bans × 5 sinks × 2 awaits of nothing were 50,000 trips through the microtask
 * queue), and the counters are counted once per batch.
 */
export async function commit (s: EngineState, made: readonly Made[], batch: StoreBatch): Promise<void> {
  const preparing = s.sinks.filter(x => x.prepare !== undefined)
  if (preparing.length > 0) {
    for (const { d } of made) {
      for (const sink of preparing) {
        const r = sink.prepare!(d, batch)
        if (r !== undefined) await r
      }
    }
  }
  const retried = addUnstored(s, batch)
  try {
    await batch.write()
    for (const key of retried) s.unstored.delete(key)
  } catch (err) {
    for (const { d } of made) s.unstored.add(d.ban.key)
    s.c.metrics
      ?.counter('palisade_store_write_failures_total', 'store writes that failed (decisions kept in memory)', ['stage'])
      .inc({ stage: 'decide' })
    const mono = monotonicOf(s.c.clock)
    if (mono - s.storeFailureLoggedAt >= STORE_FAILURE_LOG_INTERVAL) {
      s.storeFailureLoggedAt = mono
      s.log.error(
        { err, decisions: made.length },
        'cannot store decisions: they stand in memory and in the firewall, not across a restart'
      )
    }
  }
  if (made.length === 0) return
  gauge(s)
  countDecisions(s, made)
  const each = logDecisions(s.log, made, s.c.clock.now(), s.c.banLines)
  for (const m of made) {
    each?.(m)
    for (const sink of s.sinks) {
      try {
        const r = sink.apply(m.d)
        if (r !== undefined) await r
      } catch (err) {
        s.log.error({ err, sink: sink.name, ip: m.d.ban.ip }, `decision sink failed: ${sink.name}`)
      }
    }
  }
}

function countDecisions (s: EngineState, made: readonly Made[]): void {
  const counter = s.c.metrics?.counter('palisade_decide_decisions_total', 'decisions made', ['kind', 'why'])
  if (counter === undefined) return
  const n = new Map<string, { kind: string, why: string, n: number }>()
  for (const { d, why } of made) {
    const id = `${d.kind}\0${why}`
    const e = n.get(id)
    if (e === undefined) n.set(id, { kind: d.kind, why, n: 1 })
    else e.n++
  }
  for (const e of n.values()) counter.inc({ kind: e.kind, why: e.why }, e.n)
}

/** the bans (or removals) a failed write lost, as they stand now */
export function addUnstored (s: EngineState, batch: StoreBatch): string[] {
  const keys = [...s.unstored]
  for (const key of keys) {
    const ban = s.banMap.get(key)
    if (ban !== undefined) batch.put('bans', key, ban)
    else batch.del('bans', key)
  }
  return keys
}

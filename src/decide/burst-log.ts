import type { Logger } from '../common/logger.ts'
import type { Ban } from '../common/model.ts'
import type { Made } from './state.ts'

/** a batch with more decisions than this logs one line per filter, not one per decision */
export const LOG_EACH_UP_TO = 50

/**
 * The log lines of a batch's decisions. Up to LOG_EACH_UP_TO, one line per decision, returned as
 * a function the caller runs just before that decision's sinks (their errors follow its line).
 * Beyond that, one line per (kind, filter, why) listing every subject, logged here: 5,000 log
 * calls cost more than the bans themselves, and block when the log pipe is full.
 *
 * A stream reading Palisade's own log (the recidive preset counts `"msg":"ban"` lines) never
 * sees the bans of a summary: `banLines` receives, for those, the very lines they would have
 * been logged as, in one call, and src/daemon.ts hands them to such streams directly.
 */
export function logDecisions (
  log: Logger,
  made: readonly Made[],
  now: number,
  banLines?: (lines: () => readonly string[]) => void
): ((m: Made) => void) | undefined {
  if (made.length <= LOG_EACH_UP_TO) return m => { log.info(fieldsOf(m.d.ban, m.why), m.d.kind) }
  logBurst(log, made)
  banLines?.(() => made.flatMap(m => (m.d.kind === 'ban' ? [banLine(m.d.ban, m.why, now)] : [])))
  return undefined
}

/** the fields of one decision's log line (docs and the recidive preset quote them) */
function fieldsOf (ban: Ban, why: string): Record<string, unknown> {
  return {
    ip: ban.ip,
    key: ban.ip === undefined ? ban.key : undefined,
    filter: ban.filter,
    origin: ban.origin,
    reporters: ban.reporters,
    until: new Date(ban.until).toISOString(),
    escalation: ban.level,
    why
  }
}

/**
 * One ban as the engine's logger prints it (pino: level, time, the `component` binding, the
 * fields, then `msg`); `undefined` fields are left out, as pino leaves them out.
 */
export function banLine (ban: Ban, why: string, time: number): string {
  return JSON.stringify({ level: 30, time, component: 'decide', ...fieldsOf(ban, why), msg: 'ban' })
}

function logBurst (log: Logger, made: readonly Made[]): void {
  const groups = new Map<string, { kind: string; filter: string; why: string; subjects: string[] }>()
  for (const { d, why } of made) {
    const id = `${d.kind}\0${d.ban.filter}\0${why}`
    let g = groups.get(id)
    if (g === undefined) groups.set(id, (g = { kind: d.kind, filter: d.ban.filter, why, subjects: [] }))
    g.subjects.push(d.ban.ip ?? d.ban.key)
  }
  for (const g of groups.values()) {
    log.info(
      { filter: g.filter, why: g.why, count: g.subjects.length, subjects: g.subjects },
      `${g.kind} ×${g.subjects.length}`
    )
  }
}

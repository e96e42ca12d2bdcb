import type { EscalationConfig } from '../config/types.ts'
import { clampDuration } from '../common/duration.ts'

/** What the engine remembers of a key's past bans (fail2ban's bantime.increment, sshguard's multiplier). */
export interface Offence {
  /** bans so far */
  count: number
  /** ms, the last ban's length */
  lastDuration: number
  /** ms since epoch the last ban started */
  lastAt: number
}

/**
 * A repeat offender's ban is the previous one × factor, capped at max, for as long as the
 * previous offence is remembered (its end + `remember`). A first offence gets the asked duration.
 */
export function nextBanDuration (
  previous: Offence | undefined,
  asked: number,
  esc: EscalationConfig | null,
  now: number
): { duration: number; level: number } {
  // a factor of 10 from a long ban overflows any kernel timeout: never past the one global bound
  if (esc === null || previous === undefined) return { duration: clampDuration(asked), level: 0 }
  if (previous.lastAt + previous.lastDuration + esc.remember <= now) return { duration: clampDuration(asked), level: 0 }
  const duration = clampDuration(Math.min(esc.max, Math.max(asked, Math.round(previous.lastDuration * esc.factor))))
  return { duration, level: previous.count }
}

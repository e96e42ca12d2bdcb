import { ErrorCodes, palisadeError } from './errors.ts'

/**
 * Durations as reaction and fail2ban admins write them: `6h`, `48h`, `1h30m`, `2 days`,
 * `30 minutes`, `500ms`, `1w`. A bare number is refused on purpose: `10` could mean seconds
 * (fail2ban) or milliseconds (parse-duration), and a wrong guess bans for 1000x too long or short.
 */
const UNITS: Record<string, number> = {
  ms: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000
}

/**
 * The longest duration Palisade accepts anywhere (bans, banFor, escalation.max, retryperiod, ttl…):
 * 1000 days. nftables refuses a set element timeout above 99,999,999 s (~1157 days), and a ban the
 * kernel refuses is one the store holds but the host does not enforce; JavaScript dates also end at
 * 8.64e15 ms, so an unbounded `until` breaks every printer. One bound below both keeps a duration
 * that was accepted enforceable and printable. docs/limits.md lists it.
 */
export const MAX_DURATION_MS = 1000 * 86_400_000
export const MAX_DURATION_TEXT = '1000d'

const PART = /\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*/y

/** Parse a duration to milliseconds; null when the text is not a duration. */
export function tryParseDuration (text: string): number | null {
  const s = text.trim().toLowerCase()
  if (s === '') return null
  let total = 0
  let pos = 0
  PART.lastIndex = 0
  while (pos < s.length) {
    PART.lastIndex = pos
    const m = PART.exec(s)
    if (m === null) return null
    const unit = UNITS[m[2]]
    if (unit === undefined) return null
    total += Number(m[1]) * unit
    pos = PART.lastIndex
  }
  return Number.isFinite(total) ? Math.round(total) : null
}

/** The reason a parsed duration is refused, or null when it is within bounds. */
export function durationBoundError (ms: number): string | null {
  return ms > MAX_DURATION_MS ? `at most ${MAX_DURATION_TEXT} (the longest ban nftables can hold, with margin), got ${formatDuration(ms)}` : null
}

/** Parse and bound a duration; throws PAL_ERR_DURATION_INVALID for bad syntax or a value over MAX_DURATION_MS. */
export function parseDuration (text: string): number {
  const ms = tryParseDuration(text)
  if (ms === null) {
    throw palisadeError(ErrorCodes.DURATION_INVALID,
      `expected a duration such as "30s", "10m", "6h", "1h30m" or "2 days", got ${JSON.stringify(text.slice(0, 64))}`)
  }
  const bound = durationBoundError(ms)
  if (bound !== null) throw palisadeError(ErrorCodes.DURATION_INVALID, `duration ${JSON.stringify(text.slice(0, 64))}: ${bound}`)
  return ms
}

/** A duration from elsewhere (a stored ban, a peer's vote) brought inside MAX_DURATION_MS. */
export function clampDuration (ms: number): number {
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_DURATION_MS) : MAX_DURATION_MS
}

// the last instant a JavaScript Date can hold: `new Date(t).toISOString()` throws past it
const MAX_DATE_MS = 8.64e15

/** ISO time that never throws: a time outside Date's range (a corrupt record) prints as its nearest end. */
export function isoTime (ms: number): string {
  const t = Number.isFinite(ms) ? Math.max(-MAX_DATE_MS, Math.min(MAX_DATE_MS, ms)) : MAX_DATE_MS
  return new Date(t).toISOString()
}

/** Shortest exact rendering: 5400000 → "1h30m", 0 → "0s". */
export function formatDuration (ms: number): string {
  if (ms <= 0) return '0s'
  const parts: string[] = []
  let left = Math.round(ms)
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    if (left >= size) {
      parts.push(`${Math.floor(left / size)}${unit}`)
      left %= size
    }
  }
  return parts.join('')
}

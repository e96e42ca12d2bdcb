import type { Ban } from '../common/model.ts'
import { isoTime } from '../common/duration.ts'

/**
 * The json feed written straight into bytes, in one pass over bans already in IP order. 100,000
 * entries are 22 MB: built as strings (a template per line, joined, then encoded to UTF-8 for the
 * hash and again for each response) they took most of a second, mainly in garbage collection.
 * Here the time stamps are digits written in place, the part of a line after the time stamps is
 * encoded once per distinct (filter, filters, origin, reporters, level), and nothing per entry is
 * left for the collector.
 */

/** What the json format adds per ban from its votes: read through this, never from the engine's maps. */
export interface FeedVotes {
  /** the live votes on a ban's key */
  votes (key: string): ReadonlyArray<{ author: string, filter: string, observedAt: number }>
}

export interface Provenance { first: number, last: number, filters: string[], reporters: number }

type Votes = ReturnType<FeedVotes['votes']>
const NO_VOTES: Votes = []

export function provenance (b: Ban, votes: FeedVotes | undefined): Provenance {
  return provenanceOf(b, votes?.votes(b.key) ?? NO_VOTES)
}

function provenanceOf (b: Ban, vs: Votes): Provenance {
  let first = b.since
  let last = b.since
  // most bans have one vote, of their own filter, by one of their reporters: no sets for them
  if (vs.length === 0 || (vs.length === 1 && vs[0].filter === b.filter && b.reporters.includes(vs[0].author))) {
    if (vs.length === 1) { first = Math.min(first, vs[0].observedAt); last = Math.max(last, vs[0].observedAt) }
    return {
      first,
      last,
      filters: [b.filter],
      reporters: b.reporters.length < 2 ? b.reporters.length : new Set(b.reporters).size
    }
  }
  const filters = new Set([b.filter])
  const authors = new Set(b.reporters)
  for (const v of vs) {
    if (v.observedAt < first) first = v.observedAt
    if (v.observedAt > last) last = v.observedAt
    filters.add(v.filter)
    authors.add(v.author)
  }
  return { first, last, filters: [...filters].sort(), reporters: authors.size }
}

const DAY = 86_400_000
/** the last instant toISOString writes as `YYYY-MM-DDTHH:MM:SS.mmmZ` (year 9999) */
const PLAIN_ISO_END = 253_402_300_800_000
/** the longest isoTime text (`+275760-09-13T00:00:00.000Z`) */
const ISO_MAX = 27
const SUBJECT = /^[0-9a-f.:/]+$/
/** bytes per entry to start with (an IPv4 entry of one filter is about 220); the buffer grows if short */
const ENTRY_GUESS = 240
/** distinct line tails kept: more only re-encode */
const MAX_TAILS = 10_000

const HEAD = Buffer.from('{"ip":')
const UNTIL = Buffer.from(',"until":"')
const SINCE = Buffer.from('","since":"')
const LAST_SEEN = Buffer.from('","lastSeen":"')
const NEXT = Buffer.from(',\n{"ip":')
const FIXED = NEXT.length + UNTIL.length + SINCE.length + LAST_SEEN.length + 3 * ISO_MAX

// The writers take the buffer and an offset and return the offset after what they wrote; room is
// made once per entry. Pieces go in with set() and texts with write(): a loop storing one
// byte at a time measured several times slower, even for ten bytes.

/** text the caller knows is ASCII */
function putAscii (b: Buffer, at: number, s: string): number {
  return at + b.write(s, at, 'latin1')
}

function putBytes (b: Buffer, at: number, piece: Uint8Array): number {
  b.set(piece, at)
  return at + piece.length
}

const FIELDS = [UNTIL, SINCE, LAST_SEEN]
type Field = 0 | 1 | 2

/**
 * Per day number, each stamp field's key with that day's date (`,"until":"YYYY-MM-DDT`): one copy
 * for both. A feed's stamps fall on a few days, interleaved.
 */
class Dates {
  private readonly days = new Map<number, Buffer[]>()
  private day0 = -1
  private date0: Buffer[] = []
  private day1 = -1
  private date1: Buffer[] = []

  of (day: number): Buffer[] {
    if (day === this.day0) return this.date0
    if (day === this.day1) return this.date1
    let date = this.days.get(day)
    if (date === undefined) {
      const text = isoTime(day * DAY).slice(0, 11)
      date = FIELDS.map(f => Buffer.concat([f, Buffer.from(text)]))
      this.days.set(day, date)
    }
    this.day1 = this.day0; this.date1 = this.date0
    this.day0 = day; this.date0 = date
    return date
  }
}

/** a stamp field and isoTime(ms): the date once per day, the time of day as digits */
function putStamp (b: Buffer, at: number, field: Field, ms: number, dates: Dates): number {
  if (!Number.isInteger(ms) || ms < 0 || ms >= PLAIN_ISO_END) {
    return putAscii(b, putBytes(b, at, FIELDS[field]), isoTime(ms))
  }
  const day = Math.floor(ms / DAY)
  at = putBytes(b, at, dates.of(day)[field])
  const t = ms - day * DAY
  const h = Math.floor(t / 3_600_000)
  const m = Math.floor(t / 60_000) % 60
  const s = Math.floor(t / 1000) % 60
  const f = t % 1000
  b[at++] = 48 + Math.floor(h / 10); b[at++] = 48 + h % 10; b[at++] = 58
  b[at++] = 48 + Math.floor(m / 10); b[at++] = 48 + m % 10; b[at++] = 58
  b[at++] = 48 + Math.floor(s / 10); b[at++] = 48 + s % 10; b[at++] = 46
  b[at++] = 48 + Math.floor(f / 100); b[at++] = 48 + Math.floor(f / 10) % 10; b[at++] = 48 + f % 10; b[at++] = 90
  return at
}

interface Tail { filter: string, origin: string, reporters: number, level: number, bytes: Buffer }

/**
 * `{"generated":…,"count":…,"bans":[` then one entry per line; `sorted` holds only bans with an IP
 * subject, in the feed's order. The same bytes as JSON.stringify of each entry (key order ip,
 * until, since, lastSeen, filter, filters, origin, reporters, level) joined with `,\n`.
 */
export function renderJsonBytes (sorted: readonly Ban[], now: number, votes: FeedVotes | undefined): Buffer {
  const head = Buffer.from(`{"generated":"${isoTime(now)}","count":${sorted.length},"bans":[\n`)
  let b = Buffer.allocUnsafe(head.length + 8 + sorted.length * ENTRY_GUESS)
  let at = putBytes(b, 0, head)
  const dates = new Dates()
  const tails = new Map<string, Buffer>()
  let last: Tail | undefined
  for (let i = 0; i < sorted.length; i++) {
    const ban = sorted[i]
    const vs = votes === undefined ? NO_VOTES : votes.votes(ban.key)
    // without live votes the provenance is the ban's own: no objects made for most entries
    const p = vs.length === 0 ? undefined : provenanceOf(ban, vs)
    const first = p === undefined ? ban.since : p.first
    const lastSeen = p === undefined ? ban.since : p.last
    const reporters = p !== undefined
      ? p.reporters
      : ban.reporters.length < 2 ? ban.reporters.length : new Set(ban.reporters).size
    const simple = p === undefined || (p.filters.length === 1 && p.filters[0] === ban.filter)
    let tail: Buffer
    if (simple && last !== undefined && last.filter === ban.filter && last.origin === ban.origin &&
      last.reporters === reporters && last.level === ban.level) {
      tail = last.bytes
    } else {
      const qf = JSON.stringify(ban.filter)
      const qo = JSON.stringify(ban.origin)
      const filters = simple ? `[${qf}]` : JSON.stringify(p!.filters)
      // JSON texts end where they end: the key is unambiguous whatever the names hold
      const key = `${filters}${qf}${qo}${reporters} ${ban.level}`
      tail = tails.get(key) ??
        Buffer.from(`","filter":${qf},"filters":${filters},"origin":${qo},"reporters":${reporters},"level":${ban.level}}`)
      if (tails.size < MAX_TAILS) tails.set(key, tail)
      last = simple ? { filter: ban.filter, origin: ban.origin, reporters, level: ban.level, bytes: tail } : undefined
    }
    const ip = ban.ip!
    const plain = SUBJECT.test(ip)
    const quoted = plain ? undefined : Buffer.from(JSON.stringify(ip))
    const need = FIXED + tail.length + (quoted === undefined ? ip.length + 2 : quoted.length)
    if (at + need > b.length) {
      const bigger = Buffer.allocUnsafe(Math.max(b.length * 2, at + need + 8))
      b.copy(bigger, 0, 0, at)
      b = bigger
    }
    at = putBytes(b, at, i === 0 ? HEAD : NEXT)
    if (quoted === undefined) { b[at++] = 34; at = putAscii(b, at, ip); b[at++] = 34 } else at = putBytes(b, at, quoted)
    at = putStamp(b, at, 0, ban.until, dates)
    at = putStamp(b, at, 1, first, dates)
    at = putStamp(b, at, 2, lastSeen, dates)
    at = putBytes(b, at, tail)
  }
  if (at + 4 > b.length) { const bigger = Buffer.allocUnsafe(at + 4); b.copy(bigger, 0, 0, at); b = bigger }
  at = putAscii(b, at, '\n]}\n')
  return b.subarray(0, at)
}

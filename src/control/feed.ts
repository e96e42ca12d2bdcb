import { createHash } from 'node:crypto'
import { gzip } from 'node:zlib'
import { promisify } from 'node:util'
import type { Ban } from '../common/model.ts'
import { isoTime } from '../common/duration.ts'
import type { Hook } from '../config/types.ts'
import { renderNftSets, renderNftTable } from './feed-nft.ts'

/**
 * The exported blocklist, in three formats, shared by the HTTP feed and `palisade feed`.
 * Only bans with an IP subject are exported; log lines and reporters' identities never are.
 */
export type FeedFormat = 'txt' | 'json' | 'nft'
export const FEED_FORMATS: readonly FeedFormat[] = ['txt', 'json', 'nft']

/** What the json format adds per ban from its votes: read through this, never from the engine's maps. */
export interface FeedVotes {
  /** the live votes on a ban's key */
  votes (key: string): ReadonlyArray<{ author: string, filter: string, observedAt: number }>
}

/**
 * The nft variants (docs/configuration.md, `feed`): the enforcing table with a chain per hook, or only the sets
 * for a table of the admin's own ruleset.
 */
export type NftForm = { form: 'table', hooks: readonly Hook[] } | { form: 'sets', table: string }
const DEFAULT_NFT: NftForm = { form: 'table', hooks: ['input'] }

export interface FeedEntry {
  ip: string
  /** expiry */
  until: string
  /** first seen: the ban's start, or its earliest live vote */
  since: string
  /** last seen: the latest live vote (the ban's start without one) */
  lastSeen: string
  /** the filter that made the ban */
  filter: string
  /** every filter a live vote names */
  filters: string[]
  origin: string
  /** distinct reporters (this node counts as one) */
  reporters: number
  /** escalation level, 0 for a first offence */
  level: number
}

const DAY = 86_400_000
const SUBJECT = /^[0-9a-f.:/]+$/
const pad = (n: number, w: number): string => String(n).padStart(w, '0')

/**
 * isoTime for many stamps: the date part once per day, the time of day by arithmetic
 * (toISOString for each of 300,000 stamps was most of a 100,000-entry json render)
 */
function isoMaker (): (ms: number) => string {
  const days = new Map<number, string>()
  return ms => {
    if (!Number.isInteger(ms) || ms < 0 || ms >= 253_402_300_800_000) return isoTime(ms)
    const day = Math.floor(ms / DAY)
    let d = days.get(day)
    if (d === undefined) { d = isoTime(day * DAY).slice(0, 11); days.set(day, d) }
    const t = ms - day * DAY
    return `${d}${pad(Math.floor(t / 3_600_000), 2)}:${pad(Math.floor(t / 60_000) % 60, 2)}:${pad(Math.floor(t / 1000) % 60, 2)}.${pad(t % 1000, 3)}Z`
  }
}

interface Provenance { first: number, last: number, filters: string[], reporters: number }

function provenance (b: Ban, votes: FeedVotes | undefined): Provenance {
  const vs = votes?.votes(b.key) ?? []
  let first = b.since
  let last = b.since
  // most bans have one vote, of their own filter, by one of their reporters: no sets for them
  // (the garbage of 200,000 sets was a large part of a 100,000-entry render)
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

function byIp (bans: readonly Ban[]): Ban[] {
  return bans.filter(b => b.ip !== undefined).sort((a, b) => a.ip! < b.ip! ? -1 : a.ip! > b.ip! ? 1 : 0)
}

export function feedEntries (bans: readonly Ban[], votes?: FeedVotes): FeedEntry[] {
  const iso = isoMaker()
  return byIp(bans).map(b => {
    const p = provenance(b, votes)
    return {
      ip: b.ip!, until: iso(b.until), since: iso(p.first), lastSeen: iso(p.last), filter: b.filter,
      filters: p.filters, origin: b.origin, reporters: p.reporters, level: b.level
    }
  })
}

/** the json format, one entry per line, written without the intermediate entry objects */
function renderJson (bans: readonly Ban[], now: number, votes: FeedVotes | undefined): string {
  const iso = isoMaker()
  // filter and origin names repeat: quoted once each; subjects are hex digits, dots, colons and a slash
  const quoted = new Map<string, string>()
  const q = (x: string): string => {
    let v = quoted.get(x)
    if (v === undefined) { v = JSON.stringify(x); if (quoted.size < 10_000) quoted.set(x, v) }
    return v
  }
  const qip = (x: string): string => SUBJECT.test(x) ? `"${x}"` : JSON.stringify(x)
  const sorted = byIp(bans)
  // joined a thousand lines at a time: the pieces of each line die young instead of millions of
  // them living until one final join (which made garbage collection most of a 100,000-entry render)
  const chunks: string[] = []
  for (let i = 0; i < sorted.length; i += 1000) {
    const lines: string[] = []
    for (const b of sorted.slice(i, i + 1000)) {
      const p = provenance(b, votes)
      const filters =
        p.filters.length === 1 && p.filters[0] === b.filter ? `[${q(b.filter)}]` : JSON.stringify(p.filters)
      lines.push(`{"ip":${qip(b.ip!)},"until":"${iso(b.until)}","since":"${iso(p.first)}","lastSeen":"${iso(p.last)}","filter":${q(b.filter)},` +
        `"filters":${filters},"origin":${q(b.origin)},"reporters":${p.reporters},"level":${b.level}}`)
    }
    chunks.push(lines.join(',\n'))
  }
  return `{"generated":"${isoTime(now)}","count":${sorted.length},"bans":[\n${chunks.join(',\n')}\n]}\n`
}

export function renderFeed (
  format: FeedFormat,
  bans: readonly Ban[],
  now: number,
  opts: { votes?: FeedVotes; nft?: NftForm } = {}
): string {
  if (format === 'json') return renderJson(bans, now, opts.votes)
  if (format === 'txt') {
    const ips = bans
      .filter(b => b.ip !== undefined)
      .map(b => b.ip!)
      .sort()
    return ips.join('\n') + (ips.length > 0 ? '\n' : '')
  }
  const nft = opts.nft ?? DEFAULT_NFT
  return nft.form === 'sets' ? renderNftSets(bans, now, nft.table) : renderNftTable(bans, now, nft.hooks)
}

/** A rendered feed with what HTTP needs of it, computed once per render. */
export interface FeedBody {
  text: string
  /** strong entity tag: a hash of the text, so an unchanged list keeps its tag across renders */
  etag: string
  /** the gzip of the text, made on first demand and kept with it */
  gzip (): Promise<Buffer>
}

const gzipAsync = promisify(gzip)
/** distinct variants (format, hooks, table name) kept; a client naming endless table names only evicts */
const MAX_VARIANTS = 16

/**
 * Rendered feeds, one per variant, kept until the bans change: a decision sink counts ban
 * generations (every ban or unban the engine applies), and a request renders only when the
 * generation moved or the text is older than `maxAgeMs` (the nft format carries remaining times,
 * the json one its generation time). Without it each request sorted and serialised every ban:
 * 20,000 bans saturated the feed at 36 requests a second.
 */
export class FeedCache {
  readonly name = 'feed-cache'
  private generation = 0
  private readonly cached = new Map<string, { generation: number, at: number, body: FeedBody }>()
  private readonly bans: () => readonly Ban[]
  private readonly now: () => number
  private readonly maxAgeMs: number
  private readonly votes: FeedVotes | undefined
  /** renders so far (tests and metrics) */
  renders = 0
  /** gzip encodings made so far (tests) */
  gzips = 0

  constructor (bans: () => readonly Ban[], now: () => number, maxAgeMs = 30_000, votes?: FeedVotes) {
    this.bans = bans
    this.now = now
    this.maxAgeMs = maxAgeMs
    this.votes = votes
  }

  /** DecisionSink: any ban or unban makes every cached text stale. */
  apply (): void { this.generation++ }

  render (format: FeedFormat, nft?: NftForm): string { return this.body(format, nft).text }

  body (format: FeedFormat, nft?: NftForm): FeedBody {
    const key = format === 'nft' ? `nft ${JSON.stringify(nft ?? DEFAULT_NFT)}` : format
    const now = this.now()
    const c = this.cached.get(key)
    if (c !== undefined && c.generation === this.generation && now - c.at < this.maxAgeMs && now >= c.at) return c.body
    const text = renderFeed(format, this.bans(), now, { votes: this.votes, nft })
    this.renders++
    let zipped: Promise<Buffer> | undefined
    const body: FeedBody = {
      text,
      etag: `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`,
      gzip: () => {
        if (zipped === undefined) { this.gzips++; zipped = gzipAsync(text, { level: 6 }) }
        return zipped
      }
    }
    this.cached.delete(key)
    this.cached.set(key, { generation: this.generation, at: now, body })
    if (this.cached.size > MAX_VARIANTS) this.cached.delete(this.cached.keys().next().value!)
    return body
  }
}

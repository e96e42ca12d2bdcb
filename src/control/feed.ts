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
 * The nft variants (docs/feed.md): the enforcing table with a chain per hook, or only the sets
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

export function feedEntries (bans: readonly Ban[], votes?: FeedVotes): FeedEntry[] {
  return bans
    .filter(b => b.ip !== undefined)
    .sort((a, b) => a.ip! < b.ip! ? -1 : a.ip! > b.ip! ? 1 : 0)
    .map(b => {
      const vs = votes?.votes(b.key) ?? []
      let first = b.since
      let last = b.since
      const filters = new Set([b.filter])
      const authors = new Set(b.reporters)
      for (const v of vs) {
        if (v.observedAt < first) first = v.observedAt
        if (v.observedAt > last) last = v.observedAt
        filters.add(v.filter)
        authors.add(v.author)
      }
      return {
        ip: b.ip!, until: isoTime(b.until), since: isoTime(first), lastSeen: isoTime(last), filter: b.filter,
        filters: [...filters].sort(), origin: b.origin, reporters: authors.size, level: b.level
      }
    })
}

export function renderFeed (format: FeedFormat, bans: readonly Ban[], now: number, opts: { votes?: FeedVotes, nft?: NftForm } = {}): string {
  if (format === 'json') {
    const entries = feedEntries(bans, opts.votes)
    return JSON.stringify({ generated: isoTime(now), count: entries.length, bans: entries }, null, 1) + '\n'
  }
  if (format === 'txt') {
    const ips = bans.filter(b => b.ip !== undefined).map(b => b.ip!).sort()
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

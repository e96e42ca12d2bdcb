import { createHash } from 'node:crypto'
import { gzip } from 'node:zlib'
import { promisify } from 'node:util'
import type { Ban } from '../common/model.ts'
import { isoTime } from '../common/duration.ts'
import type { Hook } from '../config/types.ts'
import { renderNftSets, renderNftTable } from './feed-nft.ts'
import { provenance, renderJsonBytes, type FeedVotes } from './feed-json.ts'
import { byIp } from './feed-order.ts'

export type { FeedVotes } from './feed-json.ts'

/**
 * The exported blocklist, in three formats, shared by the HTTP feed and `palisade feed`.
 * Only bans with an IP subject are exported; log lines and reporters' identities never are.
 */
export type FeedFormat = 'txt' | 'json' | 'nft'
export const FEED_FORMATS: readonly FeedFormat[] = ['txt', 'json', 'nft']

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

export interface RenderOptions {
  votes?: FeedVotes
  nft?: NftForm
}

/** The feed as the bytes sent (UTF-8). */
export function renderFeedBytes (
  format: FeedFormat, bans: readonly Ban[], now: number, opts: RenderOptions = {}
): Buffer {
  if (format === 'json') return renderJsonBytes(byIp(bans), now, opts.votes)
  if (format === 'txt') {
    const ips = byIp(bans).map(b => b.ip!)
    return Buffer.from(ips.join('\n') + (ips.length > 0 ? '\n' : ''))
  }
  const nft = opts.nft ?? DEFAULT_NFT
  return Buffer.from(nft.form === 'sets' ? renderNftSets(bans, now, nft.table) : renderNftTable(bans, now, nft.hooks))
}

export function renderFeed (format: FeedFormat, bans: readonly Ban[], now: number, opts: RenderOptions = {}): string {
  return renderFeedBytes(format, bans, now, opts).toString('utf8')
}

/** A rendered feed with what HTTP needs of it, computed once per render. */
export interface FeedBody {
  /** what is sent: encoded once, not per response */
  bytes: Buffer
  /** the same as text, decoded on first demand (`palisade feed`, tests) */
  readonly text: string
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
    const bytes = renderFeedBytes(format, this.bans(), now, { votes: this.votes, nft })
    this.renders++
    let zipped: Promise<Buffer> | undefined
    let text: string | undefined
    const body: FeedBody = {
      bytes,
      get text () { text ??= bytes.toString('utf8'); return text },
      etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`,
      gzip: () => {
        if (zipped === undefined) { this.gzips++; zipped = gzipAsync(bytes, { level: 6 }) }
        return zipped
      }
    }
    this.cached.delete(key)
    this.cached.set(key, { generation: this.generation, at: now, body })
    if (this.cached.size > MAX_VARIANTS) this.cached.delete(this.cached.keys().next().value!)
    return body
  }
}

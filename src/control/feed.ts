import type { Ban } from '../common/model.ts'
import { isoTime, MAX_DURATION_MS } from '../common/duration.ts'

/**
 * The exported blocklist, in three formats, shared by the HTTP feed and `palisade feed`.
 * Only bans with an IP subject are exported; log lines and reporters' private data never are.
 */
export type FeedFormat = 'txt' | 'json' | 'nft'
export const FEED_FORMATS: readonly FeedFormat[] = ['txt', 'json', 'nft']

export interface FeedEntry {
  ip: string
  until: string
  since: string
  filter: string
  origin: string
  reporters: number
}

export function feedEntries (bans: readonly Ban[]): FeedEntry[] {
  return bans
    .filter(b => b.ip !== undefined)
    .sort((a, b) => a.ip! < b.ip! ? -1 : a.ip! > b.ip! ? 1 : 0)
    .map(b => ({ ip: b.ip!, until: isoTime(b.until), since: isoTime(b.since), filter: b.filter, origin: b.origin, reporters: b.reporters.length }))
}

export function renderFeed (format: FeedFormat, bans: readonly Ban[], now: number): string {
  const entries = feedEntries(bans)
  if (format === 'json') return JSON.stringify({ generated: isoTime(now), count: entries.length, bans: entries }, null, 1) + '\n'
  if (format === 'txt') return entries.map(e => e.ip).join('\n') + (entries.length > 0 ? '\n' : '')
  // an nft script a consumer loads with `nft -f`: its own table, interval sets (prefixes allowed),
  // each element with its remaining time so the consumer's bans expire with ours
  const v4: string[] = []
  const v6: string[] = []
  for (const b of bans) {
    if (b.ip === undefined) continue
    // nft refuses a timeout past its maximum and the whole script with it: never more than the bound
    const secs = Math.max(1, Math.ceil(Math.min(b.until - now, MAX_DURATION_MS) / 1000))
    ;(b.ip.includes(':') ? v6 : v4).push(`${b.ip} timeout ${secs}s`)
  }
  const set = (name: string, type: string, els: string[]): string =>
    `add set inet palisade_feed ${name} { type ${type}; flags interval, timeout; }\n` +
    `flush set inet palisade_feed ${name}\n` +
    (els.length > 0 ? `add element inet palisade_feed ${name} { ${els.join(', ')} }\n` : '')
  return '# palisade blocklist: nft -f this file\nadd table inet palisade_feed\n' +
    set('ban4', 'ipv4_addr', v4) + set('ban6', 'ipv6_addr', v6)
}

/**
 * Rendered feeds, one per format, kept until the bans change: a decision sink counts ban
 * generations (every ban or unban the engine applies), and a request renders only when the
 * generation moved or the text is older than `maxAgeMs` (the nft format carries remaining times,
 * the json one its generation time). Without it each request sorted and serialised every ban:
 * 20,000 bans saturated the feed at 36 requests a second.
 */
export class FeedCache {
  readonly name = 'feed-cache'
  private generation = 0
  private readonly cached = new Map<FeedFormat, { generation: number, at: number, text: string }>()
  private readonly bans: () => readonly Ban[]
  private readonly now: () => number
  private readonly maxAgeMs: number
  /** renders so far (tests and metrics) */
  renders = 0

  constructor (bans: () => readonly Ban[], now: () => number, maxAgeMs = 30_000) {
    this.bans = bans
    this.now = now
    this.maxAgeMs = maxAgeMs
  }

  /** DecisionSink: any ban or unban makes every cached text stale. */
  apply (): void { this.generation++ }

  render (format: FeedFormat): string {
    const now = this.now()
    const c = this.cached.get(format)
    if (c !== undefined && c.generation === this.generation && now - c.at < this.maxAgeMs && now >= c.at) return c.text
    const text = renderFeed(format, this.bans(), now)
    this.renders++
    this.cached.set(format, { generation: this.generation, at: now, text })
    return text
  }
}

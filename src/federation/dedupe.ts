import type { Store } from '../store/index.ts'

/** entries scanned between two returns to the event loop while answering a sync */
const SCAN_SLICE = 4096

const yieldToLoop = async (): Promise<void> => { await new Promise<void>(resolve => setImmediate(resolve)) }

/** Sorted, overlapping and adjacent ranges merged: one binary search per seq. */
export function mergeRanges (ranges: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const sorted = ranges.filter(([a, b]) => a <= b).map(([a, b]): [number, number] => [a, b]).sort((x, y) => x[0] - y[0])
  const out: Array<[number, number]> = []
  for (const r of sorted) {
    const last = out[out.length - 1]
    if (last !== undefined && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1])
    else out.push(r)
  }
  return out
}

export function covers (merged: ReadonlyArray<readonly [number, number]>, seq: number): boolean {
  let lo = 0
  let hi = merged.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const [a, b] = merged[mid]
    if (seq < a) hi = mid - 1
    else if (seq > b) lo = mid + 1
    else return true
  }
  return false
}

/** Store key of an accepted observation: seq as 16 hex digits so keys sort by seq per author. */
export function observationKey (author: string, seq: number): string {
  return `${author}\0${seq.toString(16).padStart(16, '0')}`
}

export interface StoredObservation {
  /** the signed wire message, hex */
  hex: string
  receivedAt: number
  /** copied from the observation so pruning and sync filter without decoding */
  observedAt: number
}

export function splitKey (key: string): { author: string, seq: number } {
  const i = key.indexOf('\0')
  return { author: key.slice(0, i), seq: parseInt(key.slice(i + 1), 16) }
}

/**
 * (author, seq) seen-set. An entry lives as long as its observation can pass the age check
 * (observedAt + window); after that the age check refuses the message anyway. Bounded: when full
 * the oldest entry is dropped and from then on a miss is confirmed against the store's
 * `observations` area, so a restart or an eviction never re-accepts a report.
 */
export class SeenCache {
  private readonly entries = new Map<string, number>()
  private readonly max: number
  private readonly store: Store
  private overflowed = false

  constructor (store: Store, max = 200_000) {
    this.store = store
    this.max = max
  }

  /** Fill from the store at start: every observation still inside the window. */
  async load (now: number, window: number): Promise<void> {
    const expired: string[] = []
    for await (const [key, v] of this.store.entries<StoredObservation>('observations')) {
      if (v.observedAt + window >= now) this.remember(key, v.observedAt + window)
      else expired.push(key)
    }
    await this.drop(expired)
  }

  /**
   * Claim (author, seq): true when it was not seen before. Claiming is synchronous for the cache
   * so two copies arriving at once (gossip and sync) cannot both pass.
   */
  async claim (author: string, seq: number, expiresAt: number, now: number): Promise<boolean> {
    const r = this.claimNow(author, seq, expiresAt, now)
    return r ?? (await this.confirm(author, seq))
  }

  /**
   * The synchronous part of `claim`: true (new, claimed) or false (seen) when the cache knows;
   * undefined when the claim is made but, the cache having overflowed once, only the store can
   * tell whether it is new — then `confirm`.
   */
  claimNow (author: string, seq: number, expiresAt: number, now: number): boolean | undefined {
    const key = observationKey(author, seq)
    const known = this.entries.get(key)
    if (known !== undefined && known >= now) return false
    this.remember(key, expiresAt)
    return this.overflowed ? undefined : true
  }

  /** Whether (author, seq) is held (accepted, or deferred after a rate refusal) and still live. */
  has (author: string, seq: number, now: number): boolean {
    const exp = this.entries.get(observationKey(author, seq))
    return exp !== undefined && exp >= now
  }

  /** Whether a claimed (author, seq) is absent from the store, i.e. really new. */
  async confirm (author: string, seq: number): Promise<boolean> {
    return (await this.store.get('observations', observationKey(author, seq))) === undefined
  }

  /** Give a claim back (the observation was refused after the claim, e.g. rate-capped). */
  release (author: string, seq: number): void {
    this.entries.delete(observationKey(author, seq))
  }

  /** Record an observation this node authored (publish path). */
  add (author: string, seq: number, expiresAt: number): void {
    this.remember(observationKey(author, seq), expiresAt)
  }

  get size (): number {
    return this.entries.size
  }

  /**
   * Seqs held per author as inclusive ranges, at most `maxRanges` per author (the sync request).
   * Ranges rather than one high-water mark so that a gap (a message missed while another, newer
   * one arrived by gossip first) is still filled by the next sync.
   */
  ranges (
    now: number,
    maxAuthors = 10_000,
    maxRanges = 256,
    maxTotal = Infinity
  ): Record<string, Array<[number, number]>> {
    const per = new Map<string, number[]>()
    for (const [key, exp] of this.entries) {
      if (exp < now) continue
      const { author, seq } = splitKey(key)
      let list = per.get(author)
      if (list === undefined) {
        if (per.size >= maxAuthors) continue
        list = []
        per.set(author, list)
      }
      list.push(seq)
    }
    const out: Record<string, Array<[number, number]>> = {}
    let total = 0
    for (const [author, seqs] of per) {
      seqs.sort((a, b) => a - b)
      const r: Array<[number, number]> = []
      for (const s of seqs) {
        const last = r[r.length - 1]
        if (last !== undefined && s === last[1] + 1) last[1] = s
        else if (r.length < maxRanges && total < maxTotal) {
          r.push([s, s])
          total++
        } else break
      }
      if (r.length > 0) out[author] = r
    }
    return out
  }

  /**
   * Store keys of live observations the requester does not hold, at most `limit`. Linear in the
   * entries scanned (a binary search in the author's sorted ranges each), and it gives the event
   * loop back every `SCAN_SLICE` entries: a request is answered without stalling gossip or the CLI.
   */
  async missing (have: Record<string, Array<[number, number]>>, now: number, limit = Infinity): Promise<string[]> {
    const held = new Map<string, Array<[number, number]>>()
    for (const author of Object.keys(have)) held.set(author, mergeRanges(have[author]))
    const out: string[] = []
    let scanned = 0
    for (const [key, exp] of this.entries) {
      if (++scanned % SCAN_SLICE === 0) await yieldToLoop()
      if (exp < now) continue
      const { author, seq } = splitKey(key)
      const r = held.get(author)
      if (r !== undefined && covers(r, seq)) continue
      out.push(key)
      if (out.length >= limit) break
    }
    return out
  }

  /**
   * A claimed observation refused for the author's rate: held as seen until `until`, so the next
   * sync neither asks for it nor re-verifies it; after that a copy may be accepted again.
   */
  defer (author: string, seq: number, until: number): void {
    this.remember(observationKey(author, seq), until)
  }

  private remember (key: string, expiresAt: number): void {
    this.entries.delete(key)
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next()
      if (oldest.done !== true) {
        this.entries.delete(oldest.value)
        this.overflowed = true
      }
    }
    this.entries.set(key, expiresAt)
  }

  /** Forget expired entries and delete their observations from the store (periodic prune). */
  async sweep (now: number): Promise<void> {
    const expired: string[] = []
    for (const [k, exp] of this.entries) {
      if (exp < now) {
        this.entries.delete(k)
        expired.push(k)
      }
    }
    await this.drop(expired)
  }

  private async drop (keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const b = this.store.batch()
      for (const k of keys.slice(i, i + 1000)) b.del('observations', k)
      await b.write()
    }
  }
}

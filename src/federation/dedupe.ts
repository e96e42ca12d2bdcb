import type { Store } from '../store/index.ts'

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
    return r ?? await this.confirm(author, seq)
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

  get size (): number { return this.entries.size }

  /**
   * Seqs held per author as inclusive ranges, at most `maxRanges` per author (the sync request).
   * Ranges rather than one high-water mark so that a gap (a message missed while another, newer
   * one arrived by gossip first) is still filled by the next sync.
   */
  ranges (now: number, maxAuthors = 10_000, maxRanges = 256): Record<string, Array<[number, number]>> {
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
    for (const [author, seqs] of per) {
      seqs.sort((a, b) => a - b)
      const r: Array<[number, number]> = []
      for (const s of seqs) {
        const last = r[r.length - 1]
        if (last !== undefined && s === last[1] + 1) last[1] = s
        else if (r.length < maxRanges) r.push([s, s])
        else break
      }
      out[author] = r
    }
    return out
  }

  /** Store keys of live observations the requester does not hold, in key order. */
  missing (have: Record<string, Array<[number, number]>>, now: number): string[] {
    const out: string[] = []
    for (const [key, exp] of this.entries) {
      if (exp < now) continue
      const { author, seq } = splitKey(key)
      const r = Object.hasOwn(have, author) ? have[author] : undefined
      if (r !== undefined && r.some(([a, b]) => seq >= a && seq <= b)) continue
      out.push(key)
    }
    return out.sort()
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

import type { Match } from '../common/model.ts'
import type { FilterConfig } from '../config/types.ts'
import type { Store, StoreBatch } from '../store/index.ts'
import type { CounterInfo } from './types.ts'
import { OldestKey } from './oldest.ts'

/** `gen`: the take() generation the entry was created in (-1: loaded, so in the store) */
interface Entry { filter: FilterConfig, key: string, times: number[], gen: number }

export interface CountResult {
  /** matches inside the period, this one included */
  count: number
  triggered: boolean
}

/**
 * Match times per (filter, key) inside `retryperiod`, reaction's retry semantics: the match that
 * reaches `retry` triggers and resets its counter. One Map for all filters, in update order (an
 * update re-inserts), so the oldest-updated counter is evicted first past `max`.
 *
 * Changes are remembered per stream ("dirty") and written by that stream's flush, in the same
 * batch as its checkpoint: a counter change is never durable without the position of the line
 * that caused it, so a restart neither loses nor double-counts a line.
 */
export class Counters {
  private readonly map = new Map<string, Entry>()
  private readonly oldest = new OldestKey<string>(this.map)
  private readonly dirty = new Map<string, Map<string, number[] | null>>()
  /** bumped by every take(): an entry created since the last one was never handed to a write */
  private gen = 0

  private readonly max: number
  private readonly onEvict: (() => void) | undefined

  constructor (max: number, onEvict?: () => void) {
    this.max = max
    this.onEvict = onEvict
  }

  get size (): number { return this.map.size }

  add (filter: FilterConfig, match: Match): CountResult {
    const id = `${filter.id}\0${match.key}`
    const now = match.time
    if (filter.retry <= 1) {
      return { count: 1, triggered: true }
    }
    const e = this.map.get(id)
    let times: number[]
    if (e === undefined) {
      times = [now]
    } else {
      this.map.delete(id)
      const from = now - filter.retryperiod
      times = e.times.filter(t => t > from)
      times.push(now)
    }
    if (times.length >= filter.retry) {
      this.forget(filter.stream, id, e?.gen ?? this.gen)
      return { count: times.length, triggered: true }
    }
    this.map.set(id, { filter, key: e?.key ?? match.key, times, gen: e?.gen ?? this.gen })
    this.mark(filter.stream, id, times)
    if (this.map.size > this.max) this.evictOldest()
    return { count: times.length, triggered: false }
  }

  private evictOldest (): void {
    const id = this.oldest.next()
    if (id === undefined) return
    const e = this.map.get(id)!
    this.map.delete(id)
    this.forget(e.filter.stream, id, e.gen)
    this.onEvict?.()
  }

  /**
   * A counter ends: its stored copy must be deleted, unless it was created since the last take
   * and so never written (under a flood of distinct addresses, most evictions): then the pending
   * put is simply dropped, which halves the store operations.
   */
  private forget (stream: string, id: string, gen: number): void {
    if (gen === this.gen) this.dirty.get(stream)?.delete(id)
    else this.mark(stream, id, null)
  }

  private mark (stream: string, id: string, times: number[] | null): void {
    let d = this.dirty.get(stream)
    if (d === undefined) this.dirty.set(stream, d = new Map())
    d.set(id, times)
  }

  /** This stream's pending changes (counter id → match times, null = deleted), forgotten here. */
  take (stream: string): Map<string, number[] | null> | undefined {
    const d = this.dirty.get(stream)
    this.dirty.delete(stream)
    this.gen++
    return d
  }

  /** Put this stream's pending changes into the batch and forget them. */
  drain (stream: string, batch: StoreBatch): void {
    const d = this.dirty.get(stream)
    this.gen++
    if (d === undefined) return
    for (const [id, times] of d) {
      if (times === null) batch.del('counters', id)
      else batch.put('counters', id, times)
    }
    this.dirty.delete(stream)
  }

  hasDirty (stream: string): boolean {
    return (this.dirty.get(stream)?.size ?? 0) > 0
  }

  /** Load persisted counters, dropping times past their period and filters that no longer exist. */
  async load (store: Store, filters: ReadonlyMap<string, FilterConfig>, now: number): Promise<void> {
    const loaded: Array<[string, Entry]> = []
    const stale: string[] = []
    for await (const [id, raw] of store.entries<number[]>('counters')) {
      const sep = id.indexOf('\0')
      const filter = filters.get(id.slice(0, sep))
      const times = Array.isArray(raw) && filter !== undefined
        ? raw.filter(t => typeof t === 'number' && t > now - filter.retryperiod)
        : []
      if (filter === undefined || times.length === 0 || filter.retry <= 1) stale.push(id)
      else loaded.push([id, { filter, key: id.slice(sep + 1), times, gen: -1 }])
    }
    loaded.sort((a, b) => a[1].times[a[1].times.length - 1] - b[1].times[b[1].times.length - 1])
    for (const [id, e] of loaded) this.map.set(id, e)
    this.oldest.reset()
    while (this.map.size > this.max) this.evictOldest()
    if (stale.length > 0) {
      const b = store.batch()
      for (const id of stale) b.del('counters', id)
      await b.write()
    }
  }

  /**
   * A reload: counters of filters that still exist go on counting under their new definition
   * (retry, retryperiod); those of removed filters are dropped, in memory and in the store.
   */
  rebind (filters: ReadonlyMap<string, FilterConfig>, batch: StoreBatch): number {
    let dropped = 0
    for (const [id, e] of this.map) {
      const f = filters.get(e.filter.id)
      if (f !== undefined) { e.filter = f; continue }
      this.map.delete(id)
      this.dirty.get(e.filter.stream)?.delete(id)
      batch.del('counters', id)
      dropped++
    }
    return dropped
  }

  list (key?: string): CounterInfo[] {
    const out: CounterInfo[] = []
    for (const e of this.map.values()) {
      if (key !== undefined && e.key !== key) continue
      out.push({
        filter: e.filter.id,
        key: e.key,
        count: e.times.length,
        retry: e.filter.retry,
        since: Math.min(...e.times)
      })
    }
    return out
  }

  /** Forget every counter of `key`; the deletions are written by the returned batch ops. */
  reset (key: string, batch: StoreBatch): number {
    let n = 0
    for (const [id, e] of this.map) {
      if (e.key !== key) continue
      this.map.delete(id)
      this.dirty.get(e.filter.stream)?.delete(id)
      batch.del('counters', id)
      n++
    }
    return n
  }
}

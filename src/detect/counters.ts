import type { Match } from '../common/model.ts'
import type { FilterConfig } from '../config/types.ts'
import { JsonText, type Store, type StoreBatch } from '../store/index.ts'
import type { CounterInfo } from './types.ts'
import { CounterSlots, NONE } from './counter-slots.ts'
import { decodeRecord, ipv4Code, logKey, parseLogKey, SNAPSHOT, TAG_PUT, TAG_STRING, VERSION, Writer } from './counter-log.ts'

export interface CountResult {
  /** matches inside the period, this one included */
  count: number
  triggered: boolean
}

/** One flush's counter changes of a stream, ready for the store (see counter-log.ts). */
export interface CounterDelta {
  key: string
  /** the record as base64, already JSON: a JSON string needs no escaping then */
  value: JsonText
  /** log records this one supersedes (a snapshot), to delete in the same batch */
  replaces: readonly string[]
}

/** A stream's side of the store log. */
interface StreamLog {
  stream: string
  /** slots changed since the last take (a slot may be listed again after reuse) */
  dirty: number[]
  /** deletions (evictions, resets after a trigger) since the last take, already encoded */
  dels: Writer
  seq: number
  /** its records in the store (or on their way), oldest first */
  keys: string[]
  /** bytes written since its last snapshot, and that snapshot's size */
  logBytes: number
  snapshotBytes: number
  force: boolean
}

const DIRTY = 1
/** a put of this counter was handed to a write: its end must be written as a deletion */
const STORED = 2
/** a snapshot replaces the log once it is this many bytes and 4× the last snapshot */
const SNAPSHOT_MIN_BYTES = 1 << 20

/**
 * Match times per (filter, key) inside `retryperiod`, reaction's retry semantics: the match that
 * reaches `retry` triggers and resets its counter. Past `max` counters the least recently updated
 * is evicted (an LRU list).
 *
 * State lives in typed arrays, one slot per counter (counter-slots.ts).
 *
 * Changes are remembered per stream and written by that stream's flush, in the same batch as its
 * checkpoint: a counter change is never durable without the position of the line that caused it,
 * so a restart neither loses nor double-counts a line.
 */
export class Counters extends CounterSlots {
  private readonly filters: Array<FilterConfig | undefined> = []
  private readonly numberOf = new Map<string, number>()
  private readonly logOf: StreamLog[] = []
  private readonly logs = new Map<string, StreamLog>()
  private evictedSince = 0
  private readonly scratch = new Writer(1 << 16)

  private readonly max: number
  private readonly onEvict: ((n: number) => void) | undefined

  /** `onEvict` is told how many counters were evicted, once per take() or load() */
  constructor (max: number, onEvict?: (n: number) => void) {
    super()
    this.max = max
    this.onEvict = onEvict
  }

  get size (): number { return this.count0 }

  add (filter: FilterConfig, match: Match): CountResult {
    const n = this.count(filter, match)
    return n > 0 ? { count: n, triggered: true } : { count: -n, triggered: false }
  }

  /** The hot path's add(): the count when this match triggers, else minus the count. */
  count (filter: FilterConfig, match: Match): number {
    if (filter.retry <= 1) return 1
    const fi = this.filterNumber(filter)
    const code = ipv4Code(match.key)
    let slot = this.slotOf(fi, code, match.key)
    const now = match.time
    if (slot === NONE) {
      slot = this.alloc(fi, code, match.key)
    } else {
      this.expire(slot, now - filter.retryperiod)
      this.unlink(slot)
      this.linkNewest(slot)
    }
    this.pushTime(slot, now)
    const n = this.tlen[slot]
    if (n >= filter.retry) {
      this.release(slot)
      return n
    }
    if ((this.flags[slot] & DIRTY) === 0) {
      this.flags[slot] |= DIRTY
      this.logOf[fi].dirty.push(slot)
    }
    if (this.count0 > this.max) this.evictOldest()
    return -n
  }

  private filterNumber (filter: FilterConfig): number {
    let fi = this.numberOf.get(filter.id)
    if (fi === undefined) {
      fi = this.filters.length
      this.numberOf.set(filter.id, fi)
      this.filters.push(filter)
      this.index.push(new Map())
      this.logOf.push(this.logFor(filter.stream))
    } else if (this.filters[fi] === undefined) {
      this.filters[fi] = filter
    }
    return fi
  }

  private logFor (stream: string): StreamLog {
    let l = this.logs.get(stream)
    if (l === undefined) {
      l = { stream, dirty: [], dels: new Writer(), seq: 0, keys: [], logBytes: 0, snapshotBytes: 0, force: false }
      this.logs.set(stream, l)
    }
    return l
  }

  /** a counter ends (triggered, evicted, reset): a stored one is written as a deletion */
  private release (slot: number, log = this.logOf[this.fidx[slot]].dels): void {
    if ((this.flags[slot] & STORED) !== 0) this.encodeKey(log, 0, slot)
    this.free(slot)
  }

  private evictOldest (): void {
    if (this.head === NONE) return
    this.release(this.head)
    this.evictedSince++
  }

  private encodeKey (w: Writer, put: number, slot: number): void {
    const s = this.kstr[slot]
    if (s !== undefined) {
      w.u8(put | TAG_STRING)
      w.u16(this.fidx[slot])
      w.str(s)
      return
    }
    // the common case written at once: tag, filter number, IPv4 key
    w.room(7)
    const at = w.len
    w.buf[at] = put
    w.view.setUint16(at + 1, this.fidx[slot], true)
    w.view.setUint32(at + 3, this.knum[slot] >>> 0, true)
    w.len = at + 7
  }

  private encodePut (w: Writer, slot: number): void {
    this.encodeKey(w, TAG_PUT, slot)
    const n = this.tlen[slot]
    w.room(4 + 8 * n)
    const v = w.view
    let at = w.len
    v.setUint32(at, n, true)
    at += 4
    for (let t = this.thead[slot]; t !== NONE; t = this.tnext[t]) { v.setFloat64(at, this.tval[t], true); at += 8 }
    w.len = at
    this.flags[slot] = STORED
  }

  private header (l: StreamLog, snapshot: boolean): Writer {
    const ids: number[] = []
    for (let i = 0; i < this.filters.length; i++) if (this.logOf[i] === l) ids.push(i)
    // one scratch writer for every record: its bytes are copied out as base64 at once
    const w = this.scratch
    w.len = 0
    w.u8(VERSION)
    w.u8(snapshot ? SNAPSHOT : 0)
    w.u16(ids.length)
    for (const i of ids) { w.u16(i); w.str(this.filters[i]?.id ?? this.numberIdOf(i)) }
    return w
  }

  private numberIdOf (i: number): string {
    for (const [id, n] of this.numberOf) if (n === i) return id
    return ''
  }

  private finish (l: StreamLog, w: Writer, replaces: string[]): CounterDelta {
    const key = logKey(l.stream, l.seq++)
    l.keys.push(key)
    l.logBytes += w.len
    return { key, value: new JsonText(`"${Buffer.from(w.buf.buffer, 0, w.len).toString('base64')}"`), replaces }
  }

  /**
   * This stream's changes since the last take, as one log record (undefined: none). A snapshot of
   * the stream's live counters instead once its log has grown well past the last snapshot.
   */
  take (stream: string): CounterDelta | undefined {
    if (this.evictedSince > 0) { this.onEvict?.(this.evictedSince); this.evictedSince = 0 }
    const l = this.logs.get(stream)
    if (l === undefined) return undefined
    if (l.force || (l.logBytes > SNAPSHOT_MIN_BYTES && l.logBytes > 4 * l.snapshotBytes)) return this.snapshot(l)
    if (l.dirty.length === 0 && l.dels.len === 0) return undefined
    const w = this.header(l, false)
    w.bytes(l.dels)
    for (const slot of l.dirty) {
      if ((this.flags[slot] & DIRTY) !== 0 && this.logOf[this.fidx[slot]] === l) this.encodePut(w, slot)
    }
    l.dirty = []
    l.dels.len = 0
    return this.finish(l, w, [])
  }

  private snapshot (l: StreamLog): CounterDelta {
    const w = this.header(l, true)
    for (let s = this.head; s !== NONE; s = this.next[s]) if (this.logOf[this.fidx[s]] === l) this.encodePut(w, s)
    const replaces = l.keys
    l.keys = []
    l.dirty = []
    l.dels.len = 0
    l.force = false
    const d = this.finish(l, w, replaces)
    l.logBytes = l.snapshotBytes = w.len
    return d
  }

  /** the stream's next take() is a snapshot (its log records before it were lost or dropped) */
  resnapshot (stream: string): void {
    this.logFor(stream).force = true
  }

  /** Put this stream's pending changes into the batch and forget them. */
  drain (stream: string, batch: StoreBatch): void {
    const d = this.take(stream)
    if (d === undefined) return
    batch.put('counters', d.key, d.value)
    for (const k of d.replaces) batch.del('counters', k)
  }

  hasDirty (stream: string): boolean {
    const l = this.logs.get(stream)
    return l !== undefined && (l.dirty.length > 0 || l.dels.len > 0)
  }

  /**
   * Load persisted counters, dropping times past their period and filters that no longer exist;
   * the log read is replaced by one snapshot per stream, in one batch.
   */
  async load (store: Store, filters: ReadonlyMap<string, FilterConfig>, now: number): Promise<void> {
    const state = new Map<string, Map<string, { filter: string, key: string, times: number[] }>>()
    const read: string[] = []
    const legacy: Array<{ filter: string, key: string, times: number[] }> = []
    for await (const [k, v] of store.entries<unknown>('counters')) {
      read.push(k)
      const sep = k.indexOf('\0')
      if (Array.isArray(v)) {
        legacy.push({ filter: k.slice(0, sep), key: k.slice(sep + 1), times: v as number[] })
        continue
      }
      const at = parseLogKey(k)
      if (at === undefined || typeof v !== 'string') continue
      const l = this.logFor(at.stream)
      l.seq = Math.max(l.seq, at.seq + 1)
      let rec
      try { rec = decodeRecord(v) } catch { continue }
      let m = state.get(at.stream)
      if (m === undefined || rec.snapshot) state.set(at.stream, m = new Map())
      for (const e of rec.entries) {
        const id = `${e.filter}\0${e.key}`
        if (e.times === null) m.delete(id)
        else m.set(id, { filter: e.filter, key: e.key, times: e.times })
      }
    }
    const all = [...legacy, ...[...state.values()].flatMap(m => [...m.values()])]
    const live: Array<{ f: FilterConfig, key: string, times: number[], last: number }> = []
    for (const e of all) {
      const f = filters.get(e.filter)
      if (f === undefined || f.retry <= 1) continue
      const times = e.times.filter(t => typeof t === 'number' && t > now - f.retryperiod)
      if (times.length > 0) live.push({ f, key: e.key, times, last: times[times.length - 1] })
    }
    live.sort((a, b) => a.last - b.last)
    const from = Math.max(0, live.length - this.max)
    this.evictedSince += from
    for (let i = from; i < live.length; i++) {
      const { f, key, times } = live[i]
      const fi = this.filterNumber(f)
      const code = ipv4Code(key)
      if (this.slotOf(fi, code, key) !== NONE) continue
      const slot = this.alloc(fi, code, key)
      for (const t of times) this.pushTime(slot, t)
    }
    const b = store.batch()
    for (const k of read) b.del('counters', k)
    for (const l of this.logs.values()) {
      l.keys = []
      l.dirty = []
      if (this.hasLive(l)) this.drainSnapshot(l, b)
    }
    if (b.length > 0) await b.write()
    if (this.evictedSince > 0) { this.onEvict?.(this.evictedSince); this.evictedSince = 0 }
  }

  private hasLive (l: StreamLog): boolean {
    for (let s = this.head; s !== NONE; s = this.next[s]) if (this.logOf[this.fidx[s]] === l) return true
    return false
  }

  private drainSnapshot (l: StreamLog, b: StoreBatch): void {
    const d = this.snapshot(l)
    b.put('counters', d.key, d.value)
  }

  /** deletions of released counters as one record per stream, into `batch` (not waiting for a flush) */
  private releaseInto (slots: number[], batch: StoreBatch): void {
    const byLog = new Map<StreamLog, Writer>()
    for (const slot of slots) {
      const l = this.logOf[this.fidx[slot]]
      let w = byLog.get(l)
      if (w === undefined) byLog.set(l, w = new Writer())
      this.release(slot, w)
    }
    for (const [l, dels] of byLog) {
      if (dels.len === 0) continue
      const w = this.header(l, false)
      w.bytes(dels)
      const d = this.finish(l, w, [])
      batch.put('counters', d.key, d.value)
    }
  }

  /**
   * A reload: counters of filters that still exist go on counting under their new definition
   * (retry, retryperiod); those of removed filters are dropped, in memory and in the store.
   */
  rebind (filters: ReadonlyMap<string, FilterConfig>, batch: StoreBatch): number {
    const gone: number[] = []
    for (let fi = 0; fi < this.filters.length; fi++) {
      const old = this.filters[fi]
      if (old === undefined) continue
      const f = filters.get(old.id)
      if (f !== undefined) { this.filters[fi] = f; continue }
      for (let s = this.head; s !== NONE; s = this.next[s]) if (this.fidx[s] === fi) gone.push(s)
      this.filters[fi] = undefined
    }
    this.releaseInto(gone, batch)
    return gone.length
  }

  private info (slot: number): CounterInfo {
    const f = this.filters[this.fidx[slot]]!
    return { filter: f.id, key: this.keyOf(slot), count: this.tlen[slot], retry: f.retry, since: this.since(slot) }
  }

  /** pending counters, least recently updated first */
  list (key?: string): CounterInfo[] {
    const out: CounterInfo[] = []
    if (key === undefined) {
      for (let s = this.head; s !== NONE; s = this.next[s]) out.push(this.info(s))
      return out
    }
    for (const s of this.slotsOf(key)) out.push(this.info(s))
    return out
  }

  private slotsOf (key: string): number[] {
    const code = ipv4Code(key)
    const slots: number[] = []
    for (let fi = 0; fi < this.index.length; fi++) {
      const s = this.slotOf(fi, code, key)
      if (s !== NONE) slots.push(s)
    }
    return slots
  }

  /** Forget every counter of `key`; the deletions are written by the returned batch ops. */
  reset (key: string, batch: StoreBatch): number {
    const slots = this.slotsOf(key)
    this.releaseInto(slots, batch)
    return slots.length
  }
}

import type { Match } from '../common/model.ts'
import type { FilterConfig } from '../config/types.ts'
import type { Store, StoreBatch } from '../store/index.ts'
import type { CounterInfo } from './types.ts'
import { decodeRecord, ipv4Code, logKey, parseLogKey, SNAPSHOT, TAG_PUT, TAG_STRING, VERSION, Writer } from './counter-log.ts'

export interface CountResult {
  /** matches inside the period, this one included */
  count: number
  triggered: boolean
}

/** One flush's counter changes of a stream, ready for the store (see counter-log.ts). */
export interface CounterDelta {
  key: string
  value: string
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
const NONE = -1
/** a snapshot replaces the log once it is this many bytes and 4× the last snapshot */
const SNAPSHOT_MIN_BYTES = 1 << 20

/**
 * Match times per (filter, key) inside `retryperiod`, reaction's retry semantics: the match that
 * reaches `retry` triggers and resets its counter. Past `max` counters the least recently updated
 * is evicted (an LRU list).
 *
 * State is kept in typed arrays indexed by slot, with no object per counter: under a flood of a
 * million distinct addresses a Map of entries with a times array each churned the old generation
 * and held hundreds of MB. An IPv4 key is a 32-bit number; other keys are strings copied out of
 * the line (a slice would keep the whole read chunk alive). Match times are nodes of one pool,
 * a singly linked list per counter.
 *
 * Changes are remembered per stream and written by that stream's flush, in the same batch as its
 * checkpoint: a counter change is never durable without the position of the line that caused it,
 * so a restart neither loses nor double-counts a line.
 */
export class Counters {
  private cap = 0
  private used = 0
  private freeSlot = NONE
  private count0 = 0
  private fidx = new Uint16Array(0)
  private knum = new Int32Array(0)
  private kstr: Array<string | undefined> = []
  private flags = new Uint8Array(0)
  private prev = new Int32Array(0)
  private next = new Int32Array(0)
  private head = NONE
  private tail = NONE
  private thead = new Int32Array(0)
  private tlen = new Uint32Array(0)

  private tcap = 0
  private tused = 0
  private tfree = NONE
  private tval = new Float64Array(0)
  private tnext = new Int32Array(0)

  /** by number, append-only (a removed filter's number is not reused) */
  private readonly filters: Array<FilterConfig | undefined> = []
  private readonly numberOf = new Map<string, number>()
  /** string keys per filter number; IPv4 keys are found through `table` */
  private readonly index: Array<Map<string, number>> = []
  /**
   * Open addressing (linear probing, at most half full) from (filter number, IPv4 key) to slot, the
   * key kept beside its slot so that a probe touches one cache line: a Map churned by a flood (an
   * insert and a delete per line) rehashed and allocated all the time and cost more than the rest of counting.
   */
  private table = new Int32Array(0)
  private mask = 0
  private readonly logOf: StreamLog[] = []
  private readonly logs = new Map<string, StreamLog>()
  private evictedSince = 0

  private readonly max: number
  private readonly onEvict: ((n: number) => void) | undefined

  /** `onEvict` is told how many counters were evicted, once per take() or load() */
  constructor (max: number, onEvict?: (n: number) => void) {
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
    let slot = code >= 0 ? this.find(fi, code | 0) : (this.index[fi].get(match.key) ?? NONE)
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

  private alloc (fi: number, code: number, key: string): number {
    let slot = this.freeSlot
    if (slot !== NONE) {
      this.freeSlot = this.next[slot]
    } else {
      if (this.used === this.cap) this.grow()
      slot = this.used++
    }
    this.fidx[slot] = fi
    this.flags[slot] = 0
    this.thead[slot] = NONE
    this.tlen[slot] = 0
    if (code >= 0) {
      this.knum[slot] = code | 0
      this.kstr[slot] = undefined
      this.insert(slot)
    } else {
      const own = (' ' + key).slice(1)
      this.kstr[slot] = own
      this.index[fi].set(own, slot)
    }
    this.linkNewest(slot)
    this.count0++
    return slot
  }

  private grow (): void {
    const cap = Math.max(1024, this.cap * 2)
    const g = <T extends Uint8Array | Uint16Array | Int32Array | Uint32Array>(a: T, Make: new (n: number) => T): T => {
      const b = new Make(cap)
      b.set(a as never)
      return b
    }
    this.fidx = g(this.fidx, Uint16Array)
    this.knum = g(this.knum, Int32Array)
    this.flags = g(this.flags, Uint8Array)
    this.prev = g(this.prev, Int32Array)
    this.next = g(this.next, Int32Array)
    this.thead = g(this.thead, Int32Array)
    this.tlen = g(this.tlen, Uint32Array)
    this.cap = cap
    // two buckets per slot (at most half full), each bucket the IPv4 key and its slot + 1
    this.table = new Int32Array(cap * 4)
    this.mask = cap * 2 - 1
    for (let s = this.head; s !== NONE; s = this.next[s]) if (this.kstr[s] === undefined) this.insert(s)
  }

  private hash (code: number): number {
    const h = Math.imul(code, 0x85ebca6b)
    return (h ^ (h >>> 15)) & this.mask
  }

  private find (fi: number, code: number): number {
    if (this.cap === 0) return NONE
    const t = this.table
    for (let i = this.hash(code); ; i = (i + 1) & this.mask) {
      const v = t[2 * i + 1]
      if (v === 0) return NONE
      if (t[2 * i] === code && this.fidx[v - 1] === fi) return v - 1
    }
  }

  private insert (slot: number): void {
    const t = this.table
    const code = this.knum[slot]
    let i = this.hash(code)
    while (t[2 * i + 1] !== 0) i = (i + 1) & this.mask
    t[2 * i] = code
    t[2 * i + 1] = slot + 1
  }

  /** linear probing's deletion: later entries of the run move back, no tombstones */
  private remove (slot: number): void {
    const t = this.table
    let i = this.hash(this.knum[slot])
    while (t[2 * i + 1] !== slot + 1) i = (i + 1) & this.mask
    for (let j = (i + 1) & this.mask; ; j = (j + 1) & this.mask) {
      const v = t[2 * j + 1]
      if (v === 0) break
      const k = this.hash(t[2 * j])
      // an entry whose home lies cyclically in (i, j] stays where it is
      if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue
      t[2 * i] = t[2 * j]
      t[2 * i + 1] = v
      i = j
    }
    t[2 * i + 1] = 0
  }

  private linkNewest (slot: number): void {
    this.prev[slot] = this.tail
    this.next[slot] = NONE
    if (this.tail === NONE) this.head = slot
    else this.next[this.tail] = slot
    this.tail = slot
  }

  private unlink (slot: number): void {
    const p = this.prev[slot]
    const n = this.next[slot]
    if (p === NONE) this.head = n
    else this.next[p] = n
    if (n === NONE) this.tail = p
    else this.prev[n] = p
  }

  /** append a time (kept in arrival order) */
  private pushTime (slot: number, t: number): void {
    let node = this.tfree
    if (node !== NONE) {
      this.tfree = this.tnext[node]
    } else {
      if (this.tused === this.tcap) {
        const cap = Math.max(1024, this.tcap * 2)
        const v = new Float64Array(cap)
        v.set(this.tval)
        const nx = new Int32Array(cap)
        nx.set(this.tnext)
        this.tval = v
        this.tnext = nx
        this.tcap = cap
      }
      node = this.tused++
    }
    this.tval[node] = t
    this.tnext[node] = NONE
    let last = this.thead[slot]
    if (last === NONE) {
      this.thead[slot] = node
    } else {
      while (this.tnext[last] !== NONE) last = this.tnext[last]
      this.tnext[last] = node
    }
    this.tlen[slot]++
  }

  /** drop the times at or before `from` (wherever they are: times of one key need not be in order) */
  private expire (slot: number, from: number): void {
    let prev = NONE
    let node = this.thead[slot]
    while (node !== NONE) {
      const nx = this.tnext[node]
      if (this.tval[node] <= from) {
        if (prev === NONE) this.thead[slot] = nx
        else this.tnext[prev] = nx
        this.tnext[node] = this.tfree
        this.tfree = node
        this.tlen[slot]--
      } else {
        prev = node
      }
      node = nx
    }
  }

  /** a counter ends (triggered, evicted, reset): a stored one is written as a deletion */
  private release (slot: number, log = this.logOf[this.fidx[slot]].dels): void {
    const fi = this.fidx[slot]
    if ((this.flags[slot] & STORED) !== 0) this.encodeKey(log, 0, slot)
    const s = this.kstr[slot]
    if (s === undefined) this.remove(slot)
    else this.index[fi].delete(s)
    this.kstr[slot] = undefined
    this.expire(slot, Infinity)
    this.flags[slot] = 0
    this.unlink(slot)
    this.next[slot] = this.freeSlot
    this.freeSlot = slot
    this.count0--
  }

  private evictOldest (): void {
    if (this.head === NONE) return
    this.release(this.head)
    this.evictedSince++
  }

  private encodeKey (w: Writer, put: number, slot: number): void {
    const s = this.kstr[slot]
    w.u8(put | (s === undefined ? 0 : TAG_STRING))
    w.u16(this.fidx[slot])
    if (s === undefined) w.u32(this.knum[slot] >>> 0)
    else w.str(s)
  }

  private encodePut (w: Writer, slot: number): void {
    this.encodeKey(w, TAG_PUT, slot)
    w.u32(this.tlen[slot])
    for (let n = this.thead[slot]; n !== NONE; n = this.tnext[n]) w.f64(this.tval[n])
    this.flags[slot] = STORED
  }

  private header (l: StreamLog, snapshot: boolean): Writer {
    const ids: number[] = []
    for (let i = 0; i < this.filters.length; i++) if (this.logOf[i] === l) ids.push(i)
    const w = new Writer(256 + l.dels.len + l.dirty.length * 24)
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
    return { key, value: Buffer.from(w.buf.buffer, 0, w.len).toString('base64'), replaces }
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
    l.dels = new Writer()
    return this.finish(l, w, [])
  }

  private snapshot (l: StreamLog): CounterDelta {
    const w = this.header(l, true)
    for (let s = this.head; s !== NONE; s = this.next[s]) if (this.logOf[this.fidx[s]] === l) this.encodePut(w, s)
    const replaces = l.keys
    l.keys = []
    l.dirty = []
    l.dels = new Writer()
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
      if ((code >= 0 ? this.find(fi, code | 0) : (this.index[fi].get(key) ?? NONE)) !== NONE) continue
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

  private keyOf (slot: number): string {
    const s = this.kstr[slot]
    if (s !== undefined) return s
    const n = this.knum[slot] >>> 0
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
  }

  private info (slot: number): CounterInfo {
    const f = this.filters[this.fidx[slot]]!
    let since = Infinity
    for (let n = this.thead[slot]; n !== NONE; n = this.tnext[n]) since = Math.min(since, this.tval[n])
    return { filter: f.id, key: this.keyOf(slot), count: this.tlen[slot], retry: f.retry, since }
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
      const s = code >= 0 ? this.find(fi, code | 0) : (this.index[fi].get(key) ?? NONE)
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

import type { Store } from '../store/index.ts'

/**
 * How counters are stored: per stream, a log of binary records in area `counters`, one store value
 * per flush (`${stream}\0${seq:012x}` → base64), never one store operation per counter. A flood of
 * distinct addresses changes one counter per line: one put per line (and one delete per eviction)
 * cost LevelDB more than everything else on the hot path together. A record is either a delta
 * (counters put or deleted since the previous one) or a snapshot (every live counter of the
 * stream; the records before it are deleted in the same batch). Keys sort by seq within a stream,
 * so reading the area in key order replays each stream's log in order.
 *
 * Record: u8 version, u8 flags (1 = snapshot), u16 filter count, per filter (u16 number, u16
 * length, UTF-8 id), then entries: u8 tag (bit 0 put, bit 1 string key), u16 filter number, key
 * (u32 IPv4, or u16 length + UTF-8), for a put u32 n + n × f64 match times.
 */
export const VERSION = 1
export const SNAPSHOT = 1
export const TAG_PUT = 1
export const TAG_STRING = 2

export function logKey (stream: string, seq: number): string {
  return `${stream}\0${seq.toString(16).padStart(12, '0')}`
}

/** the stream and seq of a log key; undefined for anything else (keys of the per-counter format before it) */
export function parseLogKey (key: string): { stream: string, seq: number } | undefined {
  const sep = key.indexOf('\0')
  if (sep === -1 || key.length - sep - 1 !== 12) return undefined
  const seq = Number.parseInt(key.slice(sep + 1), 16)
  return Number.isSafeInteger(seq) ? { stream: key.slice(0, sep), seq } : undefined
}

/** A growable little-endian byte writer. */
export class Writer {
  buf: Uint8Array
  view: DataView
  len = 0

  constructor (size = 1024) {
    this.buf = new Uint8Array(size)
    this.view = new DataView(this.buf.buffer)
  }

  room (n: number): void {
    if (this.len + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.len + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
    this.view = new DataView(next.buffer)
  }

  u8 (v: number): void { this.room(1); this.buf[this.len++] = v }
  u16 (v: number): void { this.room(2); this.view.setUint16(this.len, v, true); this.len += 2 }
  u32 (v: number): void { this.room(4); this.view.setUint32(this.len, v, true); this.len += 4 }
  f64 (v: number): void { this.room(8); this.view.setFloat64(this.len, v, true); this.len += 8 }
  str (s: string): void {
    const b = Buffer.from(s, 'utf8')
    this.u16(b.length)
    this.room(b.length)
    this.buf.set(b, this.len)
    this.len += b.length
  }

  bytes (w: Writer): void {
    this.room(w.len)
    this.buf.set(w.buf.subarray(0, w.len), this.len)
    this.len += w.len
  }
}

/** One decoded entry: `times` null for a deletion. */
export interface LogEntry { filter: string, key: string, times: number[] | null }

/** Decode one record (base64); throws on a malformed one. */
export function decodeRecord (value: string): { snapshot: boolean, entries: LogEntry[] } {
  const b = Buffer.from(value, 'base64')
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength)
  let p = 0
  const need = (n: number): void => { if (p + n > b.length) throw new Error('truncated counter record') }
  const u8 = (): number => { need(1); return b[p++] }
  const u16 = (): number => { need(2); const v = view.getUint16(p, true); p += 2; return v }
  const u32 = (): number => { need(4); const v = view.getUint32(p, true); p += 4; return v }
  const str = (): string => { const n = u16(); need(n); const s = b.toString('utf8', p, p + n); p += n; return s }
  if (u8() !== VERSION) throw new Error('unknown counter record version')
  const snapshot = (u8() & SNAPSHOT) !== 0
  const filters = new Map<number, string>()
  for (let n = u16(); n > 0; n--) { const i = u16(); filters.set(i, str()) }
  const entries: LogEntry[] = []
  while (p < b.length) {
    const tag = u8()
    const filter = filters.get(u16())
    if (filter === undefined) throw new Error('counter record names an unknown filter')
    let key: string
    if ((tag & TAG_STRING) !== 0) key = str()
    else { const n = u32(); key = `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}` }
    let times: number[] | null = null
    if ((tag & TAG_PUT) !== 0) {
      const n = u32()
      need(n * 8)
      times = new Array<number>(n)
      for (let i = 0; i < n; i++) { times[i] = view.getFloat64(p, true); p += 8 }
    }
    entries.push({ filter, key, times })
  }
  return { snapshot, entries }
}

/**
 * Every stored counter (`${filter}\0${key}` → match times, unfiltered), replaying each stream's
 * log; also reads the per-counter format that came before it. For tests and diagnostics.
 */
export async function storedCounters (store: Store): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>()
  const byStream = new Map<string, Map<string, number[]>>()
  for await (const [k, v] of store.entries<unknown>('counters')) {
    if (Array.isArray(v)) { out.set(k, v as number[]); continue }
    const at = parseLogKey(k)
    if (at === undefined || typeof v !== 'string') continue
    const rec = decodeRecord(v)
    let m = byStream.get(at.stream)
    if (m === undefined || rec.snapshot) byStream.set(at.stream, m = new Map())
    for (const e of rec.entries) {
      const id = `${e.filter}\0${e.key}`
      if (e.times === null) m.delete(id)
      else m.set(id, e.times)
    }
  }
  for (const m of byStream.values()) for (const [id, t] of m) out.set(id, t)
  return out
}

/** a canonical dotted quad as an unsigned 32-bit number, else -1 (anything else is kept as text) */
export function ipv4Code (s: string): number {
  const n = s.length
  if (n < 7 || n > 15) return -1
  let v = 0
  let part = 0
  let digits = 0
  let dots = 0
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1
      v = v * 256 + part
      part = 0
      digits = 0
      dots++
    } else if (c >= 48 && c <= 57) {
      // a leading zero would not print back the same text
      if (digits > 0 && part === 0) return -1
      part = part * 10 + c - 48
      if (++digits > 3 || part > 255) return -1
    } else {
      return -1
    }
  }
  if (dots !== 3 || digits === 0) return -1
  return v * 256 + part
}

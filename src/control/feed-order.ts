import type { Ban } from '../common/model.ts'

/**
 * The feeds list bans by subject text in code-unit order (what `a < b` on strings gives), equal
 * subjects in their given order. A comparison sort of 100,000 subjects in the engine's order (the
 * order bans were made) calls its comparator about 1.7 million times, a third of a json render.
 * Instead: IPv4 subjects become 38-bit keys sorted by four counting passes; the others (IPv6,
 * written with 19 characters `./0-9:a-f`) by a most-significant-digit radix sort over their
 * bytes, or the comparison sort for any other text; the two lists are then merged.
 */

// rank of each character in code-unit order; 0 means the text has ended, 255 a character outside
const RANK = new Uint8Array(128).fill(255)
'./0123456789:abcdef'.split('').forEach((c, i) => { RANK[c.charCodeAt(0)] = i + 1 })
const BUCKETS = 20
/** ranges at most this long are finished by insertion sort */
const SMALL = 24

/** positions of `texts` in sorted order, or null when one holds a character outside the alphabet */
export function radixOrder (texts: readonly string[]): Int32Array | null {
  const n = texts.length
  let total = 0
  let longest = 0
  for (let i = 0; i < n; i++) { total += texts[i].length; if (texts[i].length > longest) longest = texts[i].length }
  const chars = new Uint8Array(total)
  const start = new Int32Array(n + 1)
  let p = 0
  for (let i = 0; i < n; i++) {
    const s = texts[i]
    start[i] = p
    for (let j = 0; j < s.length; j++) {
      const c = s.charCodeAt(j)
      const r = c < 128 ? RANK[c] : 255
      if (r === 255) return null
      chars[p++] = r
    }
  }
  start[n] = p
  const idx = new Int32Array(n)
  for (let i = 0; i < n; i++) idx[i] = i
  const tmp = new Int32Array(n)
  // one row of bucket counts per depth, allocated once (a typed array per range was most of the sort)
  const counts = new Int32Array((longest + 2) * (BUCKETS + 1))
  const rankAt = (i: number, d: number): number => {
    const q = start[i] + d
    return q < start[i + 1] ? chars[q] : 0
  }
  // a before b: their ranks from depth d on, then the shorter first, then the given order
  const before = (a: number, b: number, d: number): boolean => {
    const ea = start[a + 1]
    const eb = start[b + 1]
    let pa = start[a] + d
    let pb = start[b] + d
    for (; pa < ea && pb < eb; pa++, pb++) if (chars[pa] !== chars[pb]) return chars[pa] < chars[pb]
    if (pa < ea) return false
    if (pb < eb) return true
    return a < b
  }
  const insertion = (lo: number, hi: number, d: number): void => {
    for (let k = lo + 1; k < hi; k++) {
      const v = idx[k]
      let m = k - 1
      while (m >= lo && before(v, idx[m], d)) { idx[m + 1] = idx[m]; m-- }
      idx[m + 1] = v
    }
  }
  const sort = (lo: number, hi: number, d: number): void => {
    if (hi - lo <= SMALL) { insertion(lo, hi, d); return }
    const c = d * (BUCKETS + 1)
    counts.fill(0, c, c + BUCKETS + 1)
    for (let k = lo; k < hi; k++) counts[c + rankAt(idx[k], d) + 1]++
    // one character shared by the whole range (`198.51.` of every address of a block): next depth, nothing moved
    for (let r = 1; r <= BUCKETS; r++) {
      if (counts[c + r] === hi - lo) { if (r > 1) sort(lo, hi, d + 1); return }
    }
    for (let r = 1; r <= BUCKETS; r++) counts[c + r] += counts[c + r - 1]
    // stable: equal texts keep their given order
    for (let k = lo; k < hi; k++) { const i = idx[k]; tmp[lo + counts[c + rankAt(i, d)]++] = i }
    for (let k = lo; k < hi; k++) idx[k] = tmp[k]
    // bucket 0 holds texts that ended at depth d: all equal, already in order
    let b = lo + counts[c]
    for (let r = 1; r < BUCKETS; r++) {
      const e = lo + counts[c + r]
      if (e - b > 1) sort(b, e, d + 1)
      b = e
    }
  }
  sort(0, n, 0)
  return idx
}

// IPv4 subjects (`a.b.c.d`, `a.b.c.d/n`, canonical) in text order are in the order of the ranks of
// their numbers' texts, octet by octet and then the prefix length ("1" < "10" < "100" < "101" < "2"):
// a '.' or the end sorts before any digit, so a shorter octet text comes first exactly as in the
// whole text. That rank tuple fits in 38 bits, sorted by four counting passes.
const textRanks = (count: number): Int32Array => {
  const rank = new Int32Array(count)
  Array.from({ length: count }, (_, i) => String(i)).sort().forEach((t, k) => { rank[Number(t)] = k })
  return rank
}
const OCTET_RANK = textRanks(256)
const LENGTH_RANK = textRanks(33)

/** rank of the octet text s[from, to), or -1 when it is not a canonical octet */
function octetRank (s: string, from: number, to: number): number {
  if (to <= from || to - from > 3 || (to - from > 1 && s.charCodeAt(from) === 48)) return -1
  let v = 0
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48
    if (c < 0 || c > 9) return -1
    v = v * 10 + c
  }
  return v > 255 ? -1 : OCTET_RANK[v]
}

/** [high 16 bits, low 22 bits] of the rank tuple, or false for a text that is not a canonical IPv4 subject */
function v4Key (s: string, hiKeys: Int32Array, loKeys: Int32Array, at: number): boolean {
  let from = 0
  let hi = 0
  let lo = 0
  for (let part = 0; part < 4; part++) {
    let to = from
    while (to < s.length && s.charCodeAt(to) !== 46 && s.charCodeAt(to) !== 47) to++
    if ((part < 3) !== (s.charCodeAt(to) === 46)) return false
    const r = octetRank(s, from, to)
    if (r < 0) return false
    if (part < 2) hi = hi * 256 + r
    else lo = lo * 256 + r
    from = to + 1
  }
  let length = 0
  if (from <= s.length) {
    // `/n`: `from` is past the slash
    const r = octetRank(s, from, s.length)
    if (r < 0) return false
    const n = Number(s.slice(from))
    if (n > 32) return false
    length = LENGTH_RANK[n] + 1
  }
  hiKeys[at] = hi
  loKeys[at] = lo * 64 + length
  return true
}

/**
 * counting passes, least significant digit first: stable, so equal keys keep their given order;
 * the keys move with their positions, so every pass reads and writes in sequence
 */
function sortV4 (positions: Int32Array, hiKeys: Int32Array, loKeys: Int32Array): Int32Array {
  const n = positions.length
  let pos: Int32Array = positions
  let hi: Int32Array = hiKeys
  let lo: Int32Array = loKeys
  let pos2: Int32Array = new Int32Array(n)
  let hi2: Int32Array = new Int32Array(n)
  let lo2: Int32Array = new Int32Array(n)
  const count = new Int32Array(2049)
  for (const [word, shift, mask] of [[1, 0, 2047], [1, 11, 2047], [0, 0, 255], [0, 8, 255]]) {
    const key = word === 0 ? hi : lo
    count.fill(0)
    for (let k = 0; k < n; k++) count[((key[k] >>> shift) & mask) + 1]++
    for (let r = 1; r <= mask + 1; r++) count[r] += count[r - 1]
    for (let k = 0; k < n; k++) {
      const to = count[(key[k] >>> shift) & mask]++
      pos2[to] = pos[k]; hi2[to] = hi[k]; lo2[to] = lo[k]
    }
    [pos, pos2] = [pos2, pos];
    [hi, hi2] = [hi2, hi];
    [lo, lo2] = [lo2, lo]
  }
  return pos
}

const byTextThenPlace = (texts: readonly string[]) => (x: number, y: number): number =>
  texts[x] < texts[y] ? -1 : texts[x] > texts[y] ? 1 : x - y

/** positions of `texts` in text order, equal texts in their given order */
export function textOrder (texts: readonly string[]): Int32Array {
  const n = texts.length
  const positions = new Int32Array(n)
  const hiKeys = new Int32Array(n)
  const loKeys = new Int32Array(n)
  let m = 0
  const rest: number[] = []
  for (let i = 0; i < n; i++) {
    if (v4Key(texts[i], hiKeys, loKeys, m)) positions[m++] = i
    else rest.push(i)
  }
  const a = sortV4(positions.subarray(0, m), hiKeys.subarray(0, m), loKeys.subarray(0, m))
  if (rest.length === 0) return a
  const restTexts = rest.map(i => texts[i])
  const ro = radixOrder(restTexts) ??
    Int32Array.from(restTexts.map((_, i) => i).sort(byTextThenPlace(restTexts)))
  // merged: a text of one list never equals one of the other, so no tie to order
  const out = new Int32Array(n)
  let i = 0
  let j = 0
  let k = 0
  while (i < a.length && j < ro.length) {
    const x = a[i]
    const y = rest[ro[j]]
    if (texts[x] < texts[y]) { out[k++] = x; i++ } else { out[k++] = y; j++ }
  }
  while (i < a.length) out[k++] = a[i++]
  while (j < ro.length) out[k++] = rest[ro[j++]]
  return out
}

/** Bans with an IP subject, ordered by it. */
export function byIp (bans: readonly Ban[]): Ban[] {
  const list = bans.filter(b => b.ip !== undefined)
  const order = textOrder(list.map(b => b.ip!))
  const out = new Array<Ban>(list.length)
  for (let k = 0; k < order.length; k++) out[k] = list[order[k]]
  return out
}

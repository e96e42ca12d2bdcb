import type { Ban } from '../common/model.ts'

/**
 * The feeds list bans by subject text in code-unit order (what `a < b` on strings gives), equal
 * subjects in their given order. A comparison sort of 100,000 subjects calls its comparator about
 * 1.7 million times, a third of a json render; subjects are written with 19 characters
 * (`./0-9:a-f`), so a most-significant-digit radix sort over their bytes orders them in a few
 * passes instead, and falls back to the comparison sort for any other text.
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

/** Bans with an IP subject, ordered by it. */
export function byIp (bans: readonly Ban[]): Ban[] {
  const list = bans.filter(b => b.ip !== undefined)
  const ips = list.map(b => b.ip!)
  let descents = 0
  for (let i = 1; i < ips.length; i++) if (ips[i] < ips[i - 1]) descents++
  if (descents === 0) return list
  // a list in long sorted runs is what the comparison sort (a merge sort that finds runs) is fastest at
  const order = descents < ips.length / 16 ? null : radixOrder(ips)
  if (order === null) {
    const idx = list.map((_, i) => i).sort((x, y) => ips[x] < ips[y] ? -1 : ips[x] > ips[y] ? 1 : x - y)
    return idx.map(i => list[i])
  }
  const out = new Array<Ban>(list.length)
  for (let k = 0; k < order.length; k++) out[k] = list[order[k]]
  return out
}

/**
 * Character sets for the regex dialect (src/config/regex-dialect.ts): POSIX classes, Unicode
 * properties and case closure, as sorted code-point ranges rendered into a JavaScript class that
 * needs no `u` flag. Combined filter regexes are compiled without `u` (its stricter syntax would
 * refuse what presets and admins write), so `\p{L}` is expanded here to its ranges in the Basic
 * Multilingual Plane; characters beyond U+FFFF are not members of an expanded set
 * (docs/configuration.md, "Regex dialect").
 */

export type Range = readonly [number, number]

const MAX_BMP = 0xffff

/** Go's (and Rust's) ASCII classes, `[[:name:]]` */
const POSIX: Record<string, Range[]> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]]
}

export function posixClass (name: string): Range[] | undefined {
  return POSIX[name]
}

export function posixNames (): string[] {
  return Object.keys(POSIX)
}

/** Merge overlapping and adjacent ranges. */
export function normalize (ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0])
  const out: Array<[number, number]> = []
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1]
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi)
    else out.push([lo, hi])
  }
  return out
}

export function complement (ranges: readonly Range[]): Range[] {
  const out: Range[] = []
  let next = 0
  for (const [lo, hi] of normalize(ranges)) {
    if (lo > next) out.push([next, lo - 1])
    next = hi + 1
  }
  if (next <= MAX_BMP) out.push([next, MAX_BMP])
  return out
}

function rangesOf (test: (c: string) => boolean): Range[] {
  const out: Array<[number, number]> = []
  for (let c = 0; c <= MAX_BMP; c++) {
    if (!test(String.fromCharCode(c))) continue
    const last = out[out.length - 1]
    if (last !== undefined && last[1] === c - 1) last[1] = c
    else out.push([c, c])
  }
  return out
}

// pure memo: expanding a property walks the whole BMP (~5 ms), a config may name it many times
const propertyMemo = new Map<string, Range[] | null>()

/**
 * `\p{name}` as Go and Rust write it (`L`, `Lu`, `Greek`, `Han`): a general category, a binary
 * property or a script. null when JavaScript knows no such property.
 */
export function unicodeProperty (name: string): Range[] | null {
  const known = propertyMemo.get(name)
  if (known !== undefined) return known
  let re: RegExp | null = null
  for (const form of [name, `Script=${name}`]) {
    try { re = new RegExp(`^\\p{${form}}$`, 'u'); break } catch { /* try the next form */ }
  }
  const ranges = re === null ? null : rangesOf(c => re.test(c))
  propertyMemo.set(name, ranges)
  return ranges
}

/** The ranges plus the other case of every member (Go's `(?i)` on a class). */
export function caseClosure (ranges: readonly Range[]): Range[] {
  const extra: Range[] = []
  for (const [lo, hi] of ranges) {
    for (let c = lo; c <= Math.min(hi, MAX_BMP); c++) {
      for (const v of caseVariants(String.fromCharCode(c))) extra.push([v, v])
    }
  }
  return normalize([...ranges, ...extra])
}

/** Other single code units that `(?i)` treats as the same letter. */
export function caseVariants (ch: string): number[] {
  const out: number[] = []
  for (const v of [ch.toLowerCase(), ch.toUpperCase()]) {
    if (v !== ch && v.length === 1 && !out.includes(v.charCodeAt(0))) out.push(v.charCodeAt(0))
  }
  return out
}

function unit (c: number): string {
  const ch = String.fromCharCode(c)
  if (/[A-Za-z0-9_ ]/.test(ch)) return ch
  return '\\u' + c.toString(16).padStart(4, '0')
}

/** Class members as JavaScript class text (without the brackets). */
export function renderRanges (ranges: readonly Range[]): string {
  return ranges.map(([lo, hi]) => lo === hi ? unit(lo) : hi === lo + 1 ? unit(lo) + unit(hi) : `${unit(lo)}-${unit(hi)}`).join('')
}

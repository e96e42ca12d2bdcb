import ipaddr from 'ipaddr.js'
import type { Ban } from '../common/model.ts'
import { parseSubject, type Family } from '../common/ip.ts'
import { MAX_DURATION_MS } from '../common/duration.ts'
import type { Hook } from '../config/types.ts'

/**
 * The blocklist as nft scripts a consumer loads with `nft -f` (docs/configuration.md, `feed`).
 *
 * Interval sets refuse an element that overlaps another ("conflicting intervals"), and the whole
 * script with it: an address inside a banned prefix, or a prefix inside a wider one, is dropped
 * here (the wider entry already covers it), and neighbouring entries that end at the same second
 * become one range. An entry covered by a prefix that ends sooner reappears on the next fetch
 * after the prefix expired.
 */
export const FEED_TABLE = 'palisade_feed'
const CHUNK = 1000

export interface NftElement { family: Family, text: string, seconds: number }

interface Range<T> { start: T, end: T, seconds: number, text: string }

/** a canonical dotted quad as a number, null for anything else (a char loop: split and Number were most of a render) */
function v4Number (s: string): number | null {
  let n = 0
  let part = 0
  let digits = 0
  let dots = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return null
      n = n * 256 + part
      part = 0
      digits = 0
      continue
    }
    if (c < 48 || c > 57 || (digits > 0 && part === 0)) return null
    part = part * 10 + c - 48
    if (++digits > 3 || part > 255) return null
  }
  return dots === 3 && digits > 0 ? n * 256 + part : null
}

function v6Big (address: string): bigint {
  let n = 0n
  for (const b of ipaddr.parse(address).toByteArray()) n = (n << 8n) | BigInt(b)
  return n
}

function v4Text (n: number): string { return `${Math.floor(n / 16_777_216)}.${Math.floor(n / 65_536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}` }

function v6Text (n: bigint): string {
  const bytes: number[] = []
  for (let i = 0; i < 16; i++) { bytes.unshift(Number(n & 0xffn)); n >>= 8n }
  return ipaddr.fromByteArray(bytes).toString()
}

/** sorted by start (widest first), covered blocks dropped, equal-ending neighbours joined into a range */
function aggregate<T extends number | bigint> (
  list: Array<Range<T>>,
  next: (x: T) => T,
  text: (x: T) => string
): Array<Range<T>> {
  list.sort((a, b) =>
    a.start < b.start ? -1 : a.start > b.start ? 1 : a.end > b.end ? -1 : a.end < b.end ? 1 : b.seconds - a.seconds
  )
  const merged: Array<Range<T>> = []
  for (const r of list) {
    const last = merged[merged.length - 1]
    // CIDR blocks are nested or disjoint: a start inside the last one means it is covered
    if (last !== undefined && r.start <= last.end) continue
    if (last !== undefined && r.start === next(last.end) && r.seconds === last.seconds) {
      last.end = r.end
      last.text = `${text(last.start)}-${text(last.end)}`
      continue
    }
    merged.push(r)
  }
  return merged
}

/** The bans' IP subjects as non-overlapping nft elements, each with its remaining seconds. */
export function nftElements (bans: readonly Ban[], now: number): NftElement[] {
  const v4: Array<Range<number>> = []
  const v6: Array<Range<bigint>> = []
  for (const b of bans) {
    if (b.ip === undefined) continue
    // nft refuses a timeout past its maximum and the whole script with it: never more than the bound
    const seconds = Math.max(1, Math.ceil(Math.min(b.until - now, MAX_DURATION_MS) / 1000))
    // the engine's subjects are canonical already: parse only what is not a plain IPv4 address
    const n = v4Number(b.ip)
    if (n !== null) { v4.push({ start: n, end: n, seconds, text: b.ip }); continue }
    const s = parseSubject(b.ip)
    if (s === null) continue
    if (s.family === 4) {
      const start = v4Number(s.address)!
      v4.push({ start, end: start + 2 ** (32 - s.prefixLength) - 1, seconds, text: s.text })
    } else {
      const start = v6Big(s.address)
      v6.push({ start, end: start + (1n << BigInt(128 - s.prefixLength)) - 1n, seconds, text: s.text })
    }
  }
  return [
    ...aggregate(v4, x => x + 1, v4Text).map(r => ({ family: 4 as const, text: r.text, seconds: r.seconds })),
    ...aggregate(v6, x => x + 1n, v6Text).map(r => ({ family: 6 as const, text: r.text, seconds: r.seconds }))
  ]
}

function elementLines (table: string, set: string, els: readonly NftElement[]): string[] {
  const lines: string[] = []
  for (let i = 0; i < els.length; i += CHUNK) {
    lines.push(`add element inet ${table} ${set} { ${els.slice(i, i + CHUNK).map(e => `${e.text} timeout ${e.seconds}s`).join(', ')} }`)
  }
  return lines
}

const SET_FLAGS = 'flags interval, timeout;'

/**
 * The enforcing form: its own table with the sets and a drop chain per hook, replaced whole in
 * one transaction (`add` + `delete` make the delete valid whether or not the table exists), so
 * loading it again and again never fails and packets never see a moment without the list.
 */
export function renderNftTable (bans: readonly Ban[], now: number, hooks: readonly Hook[]): string {
  const els = nftElements(bans, now)
  const t = FEED_TABLE
  const chains = hooks.map(h => `  chain ${h} {\n    type filter hook ${h} priority -5; policy accept;\n    ip saddr @ban4 drop\n    ip6 saddr @ban6 drop\n  }`)
  return [
    '# palisade blocklist: nft -f this file (replaces table inet palisade_feed)',
    `add table inet ${t}`,
    `delete table inet ${t}`,
    `table inet ${t} {`,
    `  set ban4 { type ipv4_addr; ${SET_FLAGS} }`,
    `  set ban6 { type ipv6_addr; ${SET_FLAGS} }`,
    ...chains,
    '}',
    ...elementLines(t, 'ban4', els.filter(e => e.family === 4)),
    ...elementLines(t, 'ban6', els.filter(e => e.family === 6)),
    ''
  ].join('\n')
}

/**
 * The include form: only the sets `palisade_ban4` / `palisade_ban6`, in a table of the admin's
 * own ruleset that references them (`ip saddr @palisade_ban4 drop`). Each load creates the sets
 * if missing, empties and refills them in one transaction.
 */
export function renderNftSets (bans: readonly Ban[], now: number, table: string): string {
  const els = nftElements(bans, now)
  const lines = [`# palisade blocklist sets for table inet ${table}: nft -f this file`]
  for (const [family, type] of [[4, 'ipv4_addr'], [6, 'ipv6_addr']] as const) {
    const set = `palisade_ban${family}`
    lines.push(`add set inet ${table} ${set} { type ${type}; ${SET_FLAGS} }`, `flush set inet ${table} ${set}`,
      ...elementLines(table, set, els.filter(e => e.family === family)))
  }
  return lines.join('\n') + '\n'
}

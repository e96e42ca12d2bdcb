import { CidrSet, isDottedQuad, maskIp, normalizeIp, parseSubject } from '../common/ip.ts'
import type { PatternConfig } from '../config/types.ts'

/** Turns a raw capture into the value counted, or null when it is invalid or ignored. */
export type ValueCheck = (raw: string) => string | null

/**
 * Copy a string so it no longer points into the line (and the 4 MiB chunk the line is a slice
 * of): V8 keeps a sliced string's parent alive, so a Map key taken straight from a capture
 * would pin the whole chunk (docs/platform-notes.md, sliced strings).
 */
export function flat (s: string): string {
  // V8 copies a substring shorter than 13 characters instead of slicing it (and never makes a
  // rope that short): most addresses and user names are already their own strings
  return s.length < 13 ? s : (' ' + s).slice(1)
}

function fullMatchers (sources: readonly string[]): RegExp[] {
  return sources.map(r => new RegExp(`^(?:${r})$`))
}

export function makeValueCheck (p: PatternConfig): ValueCheck {
  const ignoreRe = fullMatchers(p.ignoreregex)
  if (p.type === undefined) {
    const ignore = new Set(p.ignore)
    return raw => {
      if (ignore.has(raw)) return null
      for (const re of ignoreRe) if (re.test(raw)) return null
      return flat(raw)
    }
  }
  const type = p.type
  const ignore = new Set(p.ignore.map(i => parseSubject(i)?.text ?? i))
  const cidrs = new CidrSet(p.ignorecidr)
  const hasCidrs = cidrs.entries.length > 0
  const hasIgnore = ignore.size > 0
  const check = (raw: string): string | null => {
    // the family from the text, node:net once (normalizeIp), no mask work at /32 and /128
    const v6 = raw.includes(':')
    if ((type === 'ipv4' && v6) || (type === 'ipv6' && !v6)) return null
    const addr = v6 ? normalizeIp(raw) : (isDottedQuad(raw) ? raw : null)
    if (addr === null) return null
    const fam = addr.includes(':') ? 6 : 4
    if (type === 'ipv6' && fam !== 6) return null
    const bits = fam === 4 ? p.ipv4mask : p.ipv6mask
    const subject = bits >= (fam === 4 ? 32 : 128) ? addr : maskIp(addr, bits)
    if (hasIgnore && (ignore.has(addr) || ignore.has(subject))) return null
    if (hasCidrs && (cidrs.has(addr) || cidrs.has(subject))) return null
    for (const re of ignoreRe) if (re.test(addr) || re.test(raw)) return null
    return flat(subject)
  }
  // attackers repeat themselves: the verdict on an IPv6 text is kept (its normalisation through
  // ipaddr.js cost more than matching the line; an IPv4 one is cheaper than the lookup); emptied
  // when full, so memory is bounded
  const seen = new Map<string, string | null>()
  return raw => {
    if (!raw.includes(':')) return check(raw)
    const hit = seen.get(raw)
    if (hit !== undefined) return hit
    const v = check(raw)
    if (seen.size >= VERDICTS) seen.clear()
    seen.set(flat(raw), v)
    return v
  }
}

const VERDICTS = 4096

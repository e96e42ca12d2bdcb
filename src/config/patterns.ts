import { normalizeIp, parseSubject } from '../common/ip.ts'
import { builtinIpRegex } from '../common/ip-regex.ts'
import type { PatternConfig, PatternType } from './types.ts'
import type { Issues, Path } from './issues.ts'
import type { RawPattern } from './schema.ts'
import { dialectMessage, translateRegex } from './regex-dialect.ts'
import { backtrackingRisk } from './regex-safety.ts'

/**
 * Built-in candidate regexes for IP patterns (src/common/ip-regex.ts: shared with the detector,
 * with boundaries so that a greedy `.*` settles on the right occurrence). They only find
 * candidates: every capture is validated with node:net and normalised before use.
 */
export const IPV4_REGEX = builtinIpRegex('ipv4')
export const IPV6_REGEX = builtinIpRegex('ipv6')
export const IP_REGEX = builtinIpRegex('ip')

const BUILT_IN: Record<PatternType, string> = { ip: IP_REGEX, ipv4: IPV4_REGEX, ipv6: IPV6_REGEX }

/** `<name>` placeholders are JS identifiers so they can become named groups */
export const PATTERN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export function compileError (source: string): string | null {
  try {
    // compiled only to be checked
    void new RegExp(source)
    return null
  } catch (err) {
    // V8 repeats the whole (substituted) source: keep only the reason
    return (err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '')
  }
}

/**
 * An admin's regex in the config dialect (src/config/regex-dialect.ts) as JavaScript, or null
 * after reporting why not: a dialect error, a compile error, or exponential backtracking.
 * Translated standalone, so a regex that closes a group it did not open (`x)|(.*`) is refused
 * before anything wraps it in `^(?:…)$`.
 */
export function userRegex (
  src: string, at: Path, issues: Issues, opts: { placeholders?: boolean } = {}
): string | null {
  const d = translateRegex(src, opts)
  if (!d.ok) {
    // V8's wording when JavaScript refuses it too (`Unterminated group`), ours when only the dialect does
    const js = d.syntax ? compileError(src.replace(/(?<!\(\?P?|\\k)<[A-Za-z_][A-Za-z0-9_]*>/g, 'x')) : null
    issues.add(at, `invalid regex: ${js ?? dialectMessage(d)}`)
    return null
  }
  if (opts.placeholders === true) return d.source
  const err = compileError(d.source)
  if (err !== null) {
    issues.add(at, `invalid regex: ${err}`)
    return null
  }
  if (!riskRefused(d.source, at, issues)) return null
  return d.source
}

/** false (and reported) when the compiled source can take exponential time */
export function riskRefused (source: string, at: Path, issues: Issues): boolean {
  const risk = backtrackingRisk(source)
  if (risk?.exponential === true) { issues.add(at, `refused regex: ${risk.message}`); return false }
  return true
}

export function buildPattern (name: string, raw: RawPattern, issues: Issues): PatternConfig | null {
  const at = ['patterns', name]
  const before = issues.count
  if (!PATTERN_NAME.test(name)) {
    issues.add(at, `pattern name \`${name}\` must be letters, digits and _ (not starting with a digit) to be used as <${name}>`, { atKey: true })
  }
  // reaction v1 had no `type`: a pattern called ip/ipv4/ipv6 is that kind of address
  const type: PatternType | undefined = raw.type ??
    (name === 'ip' || name === 'ipv4' || name === 'ipv6' ? name : undefined)
  const regex = raw.regex ?? (type === undefined ? undefined : BUILT_IN[type])
  if (regex === undefined) {
    issues.add(at, 'missing required key `regex` (or set `type: ip`, `ipv4` or `ipv6` for the built-in IP regex)')
  }
  const js = raw.regex === undefined ? regex : userRegex(raw.regex, [...at, 'regex'], issues)
  const ignoreregex = raw.ignoreregex.map((r, i) => userRegex(r, [...at, 'ignoreregex', i], issues) ?? r)
  let ignore = raw.ignore
  if (type !== undefined) {
    ignore = raw.ignore.map((v, i) => {
      const ip = normalizeIp(v)
      if (ip === null) issues.add([...at, 'ignore', i], `expected an IP address, got ${JSON.stringify(v)} (use \`ignorecidr\` for networks)`)
      return ip ?? v
    })
  }
  const ignorecidr = raw.ignorecidr.map((v, i) => {
    const s = parseSubject(v)
    if (s === null) issues.add([...at, 'ignorecidr', i], `expected a CIDR such as "192.0.2.0/24" or "2001:db8::/32", got ${JSON.stringify(v)}`)
    return s?.text ?? v
  })
  if (type === undefined) {
    for (const key of ['ignorecidr', 'ipv4mask', 'ipv6mask'] as const) {
      const given = key === 'ignorecidr' ? raw.ignorecidr.length > 0 : raw[key] !== undefined
      if (given) issues.add([...at, key], `\`${key}\` only applies to IP patterns (set \`type: ip\`, \`ipv4\` or \`ipv6\`)`, { atKey: true })
    }
  }
  if (issues.count > before || js === undefined || js === null) return null
  return {
    name,
    regex: js,
    ...(type === undefined ? {} : { type }),
    ignore,
    ignoreregex,
    ignorecidr,
    ipv4mask: raw.ipv4mask ?? 32,
    ipv6mask: raw.ipv6mask ?? 128
  }
}

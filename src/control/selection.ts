import { ErrorCodes, palisadeError } from '../common/errors.ts'
import { maskIp, parseSubject } from '../common/ip.ts'
import type { Ban } from '../common/model.ts'
import type { CounterInfo } from '../detect/types.ts'

/** a regex longer than this is refused: it comes from a client and runs on every ban */
const MAX_PATTERN_CHARS = 1024
const MAX_PATTERNS = 16

/**
 * Which bans and counters a `show` or `flush` is about, in reaction's terms: `limit` is STREAM or
 * STREAM.FILTER, `patterns` NAME → regex (whole value: `ip=203.0.113.*`), `ip` an address or
 * prefix (a ban on it, or on a prefix containing it). Nothing given selects everything.
 */
export interface Selection {
  ban: (b: Ban) => boolean
  counter: (c: CounterInfo) => boolean
}

export function selection (args: Record<string, unknown>): Selection {
  const limit = typeof args.limit === 'string' && args.limit !== '' ? args.limit : undefined
  if (limit !== undefined && limit.split('.').length > 2) throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, `--limit ${JSON.stringify(limit)}: STREAM or STREAM.FILTER`)
  const inLimit = (filter: string): boolean => limit === undefined || filter === limit || filter.startsWith(limit + '.')
  const given =
    typeof args.patterns === 'object' && args.patterns !== null
      ? Object.entries(args.patterns as Record<string, unknown>)
      : []
  if (given.length > MAX_PATTERNS) { throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, `at most ${MAX_PATTERNS} NAME=REGEX filters`) }
  const patterns = given.map(([name, re]) => [name, compile(name, re)] as const)
  const ip = typeof args.ip === 'string' && args.ip !== '' ? parseSubject(args.ip.trim()) : undefined
  if (ip === null) throw palisadeError(ErrorCodes.IP_INVALID, `${JSON.stringify(args.ip)} is not an IP address or CIDR prefix`)
  const coversIp = (subject: string | undefined): boolean => {
    if (ip === undefined) return true
    const s = subject === undefined ? null : parseSubject(subject)
    return s !== null && s.family === ip.family && s.prefixLength <= ip.prefixLength &&
      (s.isPrefix ? maskIp(ip.address, s.prefixLength) === s.text : s.text === ip.text)
  }
  return {
    ban: b =>
      inLimit(b.filter) &&
      coversIp(b.ip) &&
      patterns.every(([n, re]) => b.values[n] !== undefined && re.test(b.values[n])),
    // a counter knows its key, not each value: a pattern filter looks at the key's parts
    counter: c =>
      inLimit(c.filter) &&
      coversIp(c.key.includes('\t') ? undefined : c.key) &&
      patterns.every(([, re]) => c.key.split('\t').some(v => re.test(v)))
  }
}

function compile (name: string, re: unknown): RegExp {
  if (typeof re !== 'string' || re.length > MAX_PATTERN_CHARS) throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, `${name}=…: a regex of at most ${MAX_PATTERN_CHARS} characters`)
  try {
    return new RegExp(`^(?:${re})$`)
  } catch (err) {
    throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, `${name}=${re}: ${(err as Error).message}`)
  }
}

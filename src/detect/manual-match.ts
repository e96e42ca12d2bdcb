import { ErrorCodes, palisadeError } from '../common/errors.ts'
import type { Match } from '../common/model.ts'
import type { FilterConfig, PatternConfig, PatternType } from '../config/types.ts'
import { makeValueCheck } from './values.ts'

/**
 * The match a filter would have made from these pattern values (`palisade trigger`): each value
 * goes through what a captured one goes through (the pattern's regex, IP validation,
 * ipv4mask/ipv6mask, ignore / ignorecidr / ignoreregex), and the key is built the way
 * filter.ts builds it, so a trigger and a log line about one source count as one key.
 * Throws PAL_ERR_CONTROL_BAD_REQUEST naming the pattern when a value is missing, invalid or ignored.
 */
export function matchOfValues (f: FilterConfig, patterns: Readonly<Record<string, PatternConfig>>,
  given: Readonly<Record<string, unknown>>, time: number): Match {
  const values: Record<string, string> = {}
  for (const name of f.patterns) {
    const p = patterns[name]
    const raw = given[name]
    if (typeof raw !== 'string' || raw === '') throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, `missing ${name}=… for ${f.id}`)
    if (p === undefined) throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, `${f.id} uses an undefined pattern ${name}`)
    // an IP pattern's own regex only finds candidates in a line; the value check validates it
    if (p.type === undefined && !new RegExp(`^(?:${p.regex})$`).test(raw)) {
      throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, `${name}=${raw} does not match the pattern's regex ${p.regex}`)
    }
    const v = makeValueCheck(p)(raw)
    if (v === null) {
      if (p.type !== undefined && !validFor(p.type, raw)) throw palisadeError(ErrorCodes.IP_INVALID, `${name}=${raw} is not a valid ${p.type === 'ip' ? 'IP' : p.type} address`)
      throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, `${name}=${raw} is ignored by the pattern ${name} (its ignore, ignorecidr or ignoreregex): nothing triggered`)
    }
    values[name] = v
  }
  const ips = f.patterns.filter(n => patterns[n]?.type !== undefined)
  const ip = ips.length === 1 ? values[ips[0]] : undefined
  const match: Match = { filter: f.id, values, key: ip ?? f.patterns.map(n => values[n]).join('\t'), time }
  if (ip !== undefined) match.ip = ip
  return match
}

const bare = (type: PatternType): PatternConfig => ({ name: type, regex: '', type, ignore: [], ignoreregex: [], ignorecidr: [], ipv4mask: 32, ipv6mask: 128 })

function validFor (type: PatternType, raw: string): boolean {
  return makeValueCheck(bare(type))(raw) !== null
}

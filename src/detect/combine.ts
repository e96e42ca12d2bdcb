import { ErrorCodes, palisadeError } from '../common/errors.ts'
import type { PatternConfig } from '../config/types.ts'
import { builtinIpRegex } from '../common/ip-regex.ts'
import { commonPrefix, compilePrefilter, requiredLiterals, unionOfLiterals } from './literals.ts'
import { dialectMessage, translateRegex } from '../config/regex-dialect.ts'

/** One admin regex inside the combined RegExp. */
export interface Branch {
  index: number
  /**
   * capture groups of this branch's `<pattern>` placeholders, in order of appearance (`slot` = index in the
   * exec array)
   */
  groups: Array<{ group: string, pattern: string, slot: number }>
  /** empty group marking this branch, for branches without placeholders */
  marker?: string
  markerSlot?: number
}

export interface Combined {
  re: RegExp
  /** a line containing none of these cannot match (null: no safe prefilter) */
  literals: string[] | null
  /** those literals compiled for `mayMatch` */
  prefilter: RegExp | null
  /** per regex: the literals one of which its lines contain (null: unknown) */
  branchLiterals: Array<string[] | null>
  branches: Branch[]
  /** pattern names in first-appearance order over all regexes */
  found: string[]
}

export function patternSource (p: PatternConfig): string {
  return p.type !== undefined && p.regex === '' ? builtinIpRegex(p.type) : p.regex
}

// escapes are skipped whole so that `\<ip>` or `\(?<x>` are left as the admin wrote them
const TOKENS = /\\k<([A-Za-z_]\w*)>|\\.|\(\?P?<([A-Za-z_]\w*)>|<([A-Za-z_]\w*)>/g

/**
 * Combine regexes into ONE RegExp: `(?:r0)|(?:r1)|…`, each `<name>` replaced by a named group
 * unique per branch (`__p0_0`), the admin's own named groups renamed per branch (JS refuses a
 * group name twice, even in different alternatives), after translating Go and Rust syntax
 * (src/config/regex-dialect.ts).
 * Regexes are not anchored: they mean what the admin wrote (reaction semantics).
 */
export function combine (
  regexes: readonly string[],
  patterns: Readonly<Record<string, PatternConfig>>,
  where: string
): Combined {
  // validating a configuration compiles its filters, and `test-regex` compiles them again right
  // after: the same regexes over the same patterns are combined once (a Combined holds no state)
  let mine = combined.get(patterns)
  if (mine === undefined) combined.set(patterns, (mine = new Map()))
  const key = JSON.stringify([regexes, patterns])
  const known = mine.get(key)
  if (known !== undefined) return known
  const c = combineNow(regexes, patterns, where)
  mine.set(key, c)
  return c
}

const combined = new WeakMap<object, Map<string, Combined>>()

function combineNow (
  regexes: readonly string[],
  patterns: Readonly<Record<string, PatternConfig>>,
  where: string
): Combined {
  const branches: Branch[] = []
  const found: string[] = []
  const bodies = regexes.map((src, i) => {
    const branch: Branch = { index: i, groups: [] }
    // the config dialect (Go/Rust syntax) as JavaScript; config validation reported it located
    const js = translateRegex(src, { placeholders: true })
    if (!js.ok) {
      throw palisadeError(
        ErrorCodes.CONFIG_INVALID,
        `${where}: regex ${i} ${JSON.stringify(src)}: ${dialectMessage(js)}`
      )
    }
    const body = js.source.replace(TOKENS, (tok: string, kRef?: string, named?: string, ph?: string) => {
      if (kRef !== undefined) return `\\k<__u${i}_${kRef}>`
      if (named !== undefined) return `(?<__u${i}_${named}>`
      if (ph === undefined) return tok
      const p = patterns[ph]
      if (p === undefined) return tok
      if (!found.includes(ph)) found.push(ph)
      const group = `__p${i}_${branch.groups.length}`
      branch.groups.push({ group, pattern: ph, slot: -1 })
      return `(?<${group}>${patternSource(p)})`
    })
    if (branch.groups.length === 0) branch.marker = `__b${i}`
    branches.push(branch)
    return body
  })
  regexes.forEach((src, i) => {
    // combining renumbers groups: `\1` would point into another regex's group
    if (/(?:^|[^\\])(?:\\\\)*\\[1-9]/.test(src)) {
      throw palisadeError(
        ErrorCodes.CONFIG_INVALID,
        `${where}: regex ${i} ${JSON.stringify(src)} uses a numbered backreference; name the group (?<x>…) and use \\k<x>`
      )
    }
  })
  // presets repeat one syslog prefix in every regex: match it once, then the alternatives
  const prefix = commonPrefix(bodies)
  const parts = bodies.map((body, i) => {
    const rest = body.slice(prefix.length)
    const marker = branches[i].marker
    return marker === undefined ? `(?:${rest})` : `(?<${marker}>)(?:${rest})`
  })
  const source = prefix === '' ? parts.join('|') : `${prefix}(?:${parts.join('|')})`
  const numbered = numberGroups(source, name => name.startsWith('__p') || name.startsWith('__b'))
  for (const b of branches) {
    for (const g of b.groups) g.slot = numbered.slots.get(g.group) ?? -1
    if (b.marker !== undefined) b.markerSlot = numbered.slots.get(b.marker)
  }
  let re: RegExp
  try {
    re = new RegExp(numbered.source)
  } catch (err) {
    // name the regex that breaks it, not the combined monster
    for (const [i, src] of regexes.entries()) {
      try {
        void new RegExp(bodies[i])
      } catch (e) {
        throw palisadeError(
          ErrorCodes.CONFIG_INVALID,
          `${where}: regex ${i} ${JSON.stringify(src)} is invalid: ${(e as Error).message}`,
          e
        )
      }
    }
    throw palisadeError(
      ErrorCodes.CONFIG_INVALID,
      `${where}: regexes cannot be combined: ${(err as Error).message}`,
      err
    )
  }
  const branchLiterals = bodies.map(requiredLiterals)
  const literals = unionOfLiterals(branchLiterals)
  return { re, literals, prefilter: compilePrefilter(literals), branchLiterals, branches, found }
}

/** Which branch matched, from the exec array. */
export function branchOf (c: Combined, m: RegExpExecArray): Branch {
  for (const b of c.branches) {
    if (b.markerSlot !== undefined) {
      if (m[b.markerSlot] !== undefined) return b
    } else {
      for (const g of b.groups) if (m[g.slot] !== undefined) return b
    }
  }
  // a branch whose placeholders are all optional and absent: the first one without a marker
  return c.branches.find(b => b.marker === undefined) ?? c.branches[0]
}

/**
 * Our own groups (`(?<__pI_J>` placeholders, `(?<__bI>` markers) become plain numbered groups,
 * and their slots in the exec array are recorded: a RegExp with named groups makes V8 build a
 * `groups` object with every name on each match, which cost more than the match itself.
 * The admin's own named groups (renamed `__u…`) stay named.
 */
export function numberGroups (
  source: string,
  ours: (name: string) => boolean
): { source: string; slots: Map<string, number> } {
  const slots = new Map<string, number>()
  let out = ''
  let n = 0
  let inClass = false
  for (let i = 0; i < source.length; i++) {
    const c = source[i]
    if (c === '\\') {
      out += c + (source[i + 1] ?? '')
      i++
      continue
    }
    if (inClass) {
      if (c === ']') inClass = false
      out += c
      continue
    }
    if (c === '[') {
      inClass = true
      out += c
      continue
    }
    if (c === '(') {
      const named = /^\(\?<([A-Za-z_]\w*)>/.exec(source.slice(i, i + 64))
      if (named !== null) {
        n++
        if (ours(named[1])) {
          slots.set(named[1], n)
          out += '('
          i += named[0].length - 1
          continue
        }
      } else if (source[i + 1] !== '?') {
        n++
      }
    }
    out += c
  }
  return { source: out, slots }
}

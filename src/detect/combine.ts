import { ErrorCodes, palisadeError } from '../common/errors.ts'
import type { PatternConfig } from '../config/types.ts'
import { builtinIpRegex } from '../common/ip-regex.ts'

/** One admin regex inside the combined RegExp. */
export interface Branch {
  index: number
  /** named groups of this branch's `<pattern>` placeholders, in order of appearance */
  groups: Array<{ group: string, pattern: string }>
  /** empty group marking this branch, for branches without placeholders */
  marker?: string
}

export interface Combined {
  re: RegExp
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
 * group name twice, even in different alternatives), and Go's `(?P<x>` accepted.
 * Regexes are not anchored: they mean what the admin wrote (reaction semantics).
 */
export function combine (regexes: readonly string[], patterns: Readonly<Record<string, PatternConfig>>, where: string): Combined {
  const branches: Branch[] = []
  const found: string[] = []
  const parts = regexes.map((src, i) => {
    const branch: Branch = { index: i, groups: [] }
    const body = src.replace(TOKENS, (tok: string, kRef?: string, named?: string, ph?: string) => {
      if (kRef !== undefined) return `\\k<__u${i}_${kRef}>`
      if (named !== undefined) return `(?<__u${i}_${named}>`
      if (ph === undefined) return tok
      const p = patterns[ph]
      if (p === undefined) return tok
      if (!found.includes(ph)) found.push(ph)
      const group = `__p${i}_${branch.groups.length}`
      branch.groups.push({ group, pattern: ph })
      return `(?<${group}>${patternSource(p)})`
    })
    if (branch.groups.length === 0) branch.marker = `__b${i}`
    branches.push(branch)
    return branch.marker === undefined ? `(?:${body})` : `(?<${branch.marker}>)(?:${body})`
  })
  let re: RegExp
  try {
    re = new RegExp(parts.join('|'))
  } catch (err) {
    // name the regex that breaks it, not the combined monster
    for (const [i, src] of regexes.entries()) {
      try { new RegExp(parts[i]) } catch (e) {
        throw palisadeError(ErrorCodes.CONFIG_INVALID, `${where}: regex ${i} ${JSON.stringify(src)} is invalid: ${(e as Error).message}`, e)
      }
    }
    throw palisadeError(ErrorCodes.CONFIG_INVALID, `${where}: regexes cannot be combined: ${(err as Error).message}`, err)
  }
  return { re, branches, found }
}

/** Which branch matched. */
export function branchOf (c: Combined, groups: Record<string, string | undefined>): Branch {
  for (const b of c.branches) {
    if (b.marker !== undefined) {
      if (groups[b.marker] !== undefined) return b
    } else {
      for (const g of b.groups) if (groups[g.group] !== undefined) return b
    }
  }
  // a branch whose placeholders are all optional and absent: the first one without a marker
  return c.branches.find(b => b.marker === undefined) ?? c.branches[0]
}

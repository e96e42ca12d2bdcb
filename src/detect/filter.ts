import type { Match } from '../common/model.ts'
import type { FilterConfig, PatternConfig } from '../config/types.ts'
import type { CompiledFilter } from './types.ts'
import { branchOf, combine, type Combined } from './combine.ts'
import { linkMarks, LinkTable, userOf, type Marks } from './link.ts'
import { mayMatch } from './literals.ts'
import { makeValueCheck, type ValueCheck } from './values.ts'

export interface CompileOptions {
  /** connection ids kept for `link` (default 10,000) */
  maxLinks?: number
}

type Explained = ReturnType<CompiledFilter['explain']>

interface Capture { slot: number, pattern: string, check: ValueCheck }

export class Filter implements CompiledFilter {
  readonly config: FilterConfig
  readonly literals: readonly string[] | null
  private readonly combined: Combined
  private readonly order: string[]
  private readonly checks = new Map<string, ValueCheck>()
  /** the single IP-typed pattern, when there is exactly one */
  private readonly ipPattern: string | undefined
  private readonly link: LinkTable | undefined
  /** the combined regex with `link`'s user/forget groups numbered, and their slots (see link.ts) */
  private readonly marks: Marks
  /** per branch: its placeholder groups with their value checks, looked up once here rather than per line */
  private readonly captures: Capture[][]

  constructor (filter: FilterConfig, patterns: Readonly<Record<string, PatternConfig>>, opts: CompileOptions = {}) {
    this.config = filter
    this.combined = combine(filter.regex, patterns, filter.id)
    const checkFor = (name: string): ValueCheck => {
      let c = this.checks.get(name)
      if (c === undefined) this.checks.set(name, c = makeValueCheck(patterns[name]))
      return c
    }
    this.link = filter.link === undefined
      ? undefined
      : new LinkTable(filter.link, patterns, checkFor, opts.maxLinks ?? 10_000, filter.id, this.combined.literals)
    this.marks = linkMarks(this.combined, filter.regex)
    const own = this.combined.literals
    const linked = this.link === undefined ? [] : this.link.literals
    this.literals = own === null || linked === null ? null : [...own, ...linked]
    const found = [...this.combined.found, ...(this.link?.found ?? [])]
    this.order = [...new Set([...filter.patterns.filter(p => found.includes(p)), ...found])]
    for (const name of this.order) checkFor(name)
    const ips = this.order.filter(n => patterns[n].type !== undefined)
    this.ipPattern = ips.length === 1 ? ips[0] : undefined
    this.captures = this.combined.branches.map(b =>
      b.groups.map(g => ({ slot: g.slot, pattern: g.pattern, check: checkFor(g.pattern) })))
  }

  match (line: string, time: number): Match | null {
    const passed = mayMatch(line, this.combined.prefilter)
    const m = passed ? this.marks.re.exec(line) : null
    if (m === null) {
      // a `from` line counts only on a connection where several users were tried (link.ts)
      const several = this.link?.observe(line, time, !passed) ?? null
      return several === null ? null : this.build(several, time)
    }
    const branch = branchOf(this.combined, m)
    let values: Record<string, string> = {}
    let any = false
    const captures = this.captures[branch.index]
    for (let i = 0; i < captures.length; i++) {
      const g = captures[i]
      const raw = m[g.slot]
      if (raw === undefined || values[g.pattern] !== undefined) continue
      const v = g.check(raw)
      if (v === null) { this.link?.observe(line, time); return null }
      values[g.pattern] = v
      any = true
    }
    if (this.link !== undefined) {
      const user = userOf(m, branch.index, this.marks)
      const forget = this.marks.forget[branch.index]
      if (any) {
        // a failure line naming its address binds its connection: fail2ban links those too
        this.link.bind(line, values, time, user, forget)
      } else {
        this.link.observe(line, time)
        const bound = this.link.lookup(line, time, user, forget)
        if (bound === null) return null
        values = bound
        any = true
      }
    }
    if (!any && this.order.length > 0) return null
    return this.build(values, time)
  }

  private build (raw: Record<string, string>, time: number): Match {
    // values in the filter's pattern order; with one pattern `raw` is already in it
    let values = raw
    if (this.order.length > 1) {
      values = {}
      for (const name of this.order) if (raw[name] !== undefined) values[name] = raw[name]
    }
    const ip = this.ipPattern === undefined ? undefined : values[this.ipPattern]
    const key = ip ?? this.order.map(n => values[n] ?? '').join('\t')
    const match: Match = { filter: this.config.id, values, key, time }
    if (ip !== undefined) match.ip = ip
    return match
  }

  explain (line: string): Explained {
    const m = this.combined.re.exec(line)
    if (m === null) return null
    const branch = branchOf(this.combined, m)
    const captures: Record<string, { raw: string, value: string | null }> = {}
    for (const g of branch.groups) {
      const raw = m[g.slot]
      if (raw === undefined || captures[g.pattern] !== undefined) continue
      captures[g.pattern] = { raw, value: this.checks.get(g.pattern)!(raw) }
    }
    return { regexIndex: branch.index, regex: this.config.regex[branch.index], captures }
  }
}

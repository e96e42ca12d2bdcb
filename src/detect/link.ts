import { ErrorCodes, palisadeError } from '../common/errors.ts'
import type { LinkConfig, PatternConfig } from '../config/types.ts'
import { branchOf, combine, numberGroups, type Combined } from './combine.ts'
import { flat, type ValueCheck } from './values.ts'
import { compilePrefilter, mayMatch } from './literals.ts'
import { OldestKey } from './oldest.ts'

interface Bound {
  values: Record<string, string>
  at: number
  /** the first user name this connection tried */
  user: string | undefined
  /** a second, different user name was tried on it */
  several: boolean
}

/** What a line says about its connection besides its values: the user it names, whether the connection ends. */
export interface LinkMarks { user: string | undefined, forget: boolean }

/**
 * Per-branch facts the regexes state by two named groups, read only for linked lines:
 * `(?<user>…)` the user name the line tried, `(?<forget>)` (empty) the connection ends here.
 * combine() renames an admin's groups per branch (`__uI_name`).
 */
export function forgetMarks (regexes: readonly string[]): boolean[] {
  return regexes.map(r => r.includes('(?<forget>)') || r.includes('(?P<forget>)'))
}

export function marksOf (m: RegExpExecArray, index: number, forget: readonly boolean[]): LinkMarks {
  const user = m.groups?.[`__u${index}_user`]
  return { user: user === undefined || user === '' ? undefined : user, forget: forget[index] === true }
}

/**
 * Per-connection attribution (fail2ban's multi-line matching, done as a bounded map): a line
 * matching one of `from` binds its connection id to the values it captured; a later filter line
 * carrying the same id and no `<ip>` of its own is attributed to them. Ids expire `ttl` after
 * their last line; past `max` ids the oldest-touched goes first, so a flood of connections
 * costs bounded memory.
 *
 * A `from` line is not a failure by itself (a key the server did not take, a closed connection)
 * except on a connection where two different user names were tried: someone walking a list of
 * accounts over one connection. Then every `from` line that names a user counts too, a later
 * `Accepted` included (fail2ban counts these as well). A line whose regex carries `(?<forget>)`
 * ends its connection: the id is unbound after it, so a reused pid starts clean.
 */
export class LinkTable {
  private readonly idRe: RegExp
  private readonly idSlot: number
  /** `from` literals the filter's own prefilter does not already imply */
  private readonly fromOnly: RegExp | null
  private readonly from: Combined
  private readonly fromForget: boolean[]
  private readonly bound = new Map<string | number, Bound>()
  private readonly oldest = new OldestKey<string | number>(this.bound)

  private readonly cfg: LinkConfig
  private readonly checkFor: (pattern: string) => ValueCheck
  private readonly max: number

  constructor (cfg: LinkConfig, patterns: Readonly<Record<string, PatternConfig>>, checkFor: (pattern: string) => ValueCheck, max: number, where: string,
    filterLiterals: readonly string[] | null = null) {
    this.cfg = cfg
    this.checkFor = checkFor
    this.max = max
    // a numbered group: a named one makes every exec build a `groups` object
    const numbered = numberGroups(cfg.id.replace('(?P<id>', '(?<id>'), name => name === 'id')
    this.idSlot = numbered.slots.get('id') ?? -1
    try {
      this.idRe = new RegExp(numbered.source)
    } catch (err) {
      throw palisadeError(ErrorCodes.CONFIG_INVALID, `${where}.link.id: invalid regex: ${(err as Error).message}`, err)
    }
    if (!cfg.id.includes('(?<id>') && !cfg.id.includes('(?P<id>')) {
      throw palisadeError(ErrorCodes.CONFIG_INVALID, `${where}.link.id: needs a named group (?<id>…)`)
    }
    this.from = combine(cfg.from, patterns, `${where}.link.from`)
    this.fromForget = forgetMarks(cfg.from)
    const lits = this.from.literals
    this.fromOnly = lits === null || filterLiterals === null ? this.from.prefilter : compilePrefilter(lits.filter(l => !filterLiterals.some(f => l.includes(f))))
    if (this.from.found.length === 0) throw palisadeError(ErrorCodes.CONFIG_INVALID, `${where}.link.from: no <pattern> to bind`)
  }

  /** one of these occurs in every `from` line (null: unknown) */
  get literals (): readonly string[] | null { return this.from.literals }

  /** patterns the `from` regexes capture */
  get found (): readonly string[] { return this.from.found }

  private idOf (line: string): string | undefined {
    return this.idRe.exec(line)?.[this.idSlot]
  }

  /**
   * Bind the line's id when it is a `from` line; returns the values to count when the line is
   * one a multi-user connection makes a failure, else null. `filterPrefiltered`: the line already
   * failed the filter's own literal prefilter, so only the literals that one does not imply can occur.
   */
  observe (line: string, time: number, filterPrefiltered = false): Record<string, string> | null {
    if (!mayMatch(line, filterPrefiltered ? this.fromOnly : this.from.prefilter)) return null
    const m = this.from.re.exec(line)
    if (m === null) return null
    const id = this.idOf(line)
    if (id === undefined) return null
    const branch = branchOf(this.from, m)
    const values: Record<string, string> = {}
    for (const g of branch.groups) {
      const raw = m[g.slot]
      if (raw === undefined || values[g.pattern] !== undefined) continue
      const v = this.checkFor(g.pattern)(raw)
      if (v === null) return null
      values[g.pattern] = v
    }
    const marks = marksOf(m, branch.index, this.fromForget)
    const b = this.merge(id, values, time, marks)
    return marks.user !== undefined && b.several ? b.values : null
  }

  /** A filter line that named its values binds its connection too (no second regex run). */
  bind (line: string, values: Record<string, string>, time: number, marks: LinkMarks = NO_MARKS): void {
    const id = this.idOf(line)
    if (id !== undefined) this.merge(id, values, time, marks)
  }

  /** The values bound to this line's id, if still live. */
  lookup (line: string, time: number, marks: LinkMarks = NO_MARKS): Record<string, string> | null {
    const id = this.idOf(line)
    if (id === undefined) return null
    const key = keyOf(id)
    const b = this.bound.get(key)
    if (b === undefined) return null
    this.bound.delete(key)
    if (time - b.at > this.cfg.ttl) return null
    b.at = time
    addUser(b, marks.user)
    if (!marks.forget) this.bound.set(key, b)
    return b.values
  }

  private merge (id: string, values: Record<string, string>, time: number, marks: LinkMarks): Bound {
    const key = keyOf(id)
    let b = this.bound.get(key)
    if (b !== undefined && time - b.at > this.cfg.ttl) {
      this.bound.delete(key)
      b = undefined
    }
    if (b === undefined) {
      b = { values, at: time, user: marks.user === undefined ? undefined : flat(marks.user), several: false }
      if (!marks.forget) this.insert(key, b)
      return b
    }
    if (marks.forget) {
      this.bound.delete(key)
    } else if (!sameValues(b.values, values)) {
      // another address on this id: a new connection that reused the pid
      this.bound.delete(key)
      b = { values, at: time, user: marks.user === undefined ? undefined : flat(marks.user), several: false }
      this.insert(key, b)
      return b
    }
    // the usual case (one connection, several lines): refresh in place; re-inserting to keep
    // strict recency cost more than all the matching, and a live connection is rarely the
    // oldest of `max` ids anyway
    b.at = time
    addUser(b, marks.user)
    return b
  }

  private insert (key: string | number, b: Bound): void {
    this.bound.set(key, b)
    if (this.bound.size > this.max) {
      const oldest = this.oldest.next()
      if (oldest !== undefined) this.bound.delete(oldest)
    }
  }

  get size (): number { return this.bound.size }
}

const NO_MARKS: LinkMarks = { user: undefined, forget: false }

function addUser (b: Bound, user: string | undefined): void {
  if (user === undefined) return
  if (b.user === undefined) b.user = flat(user)
  else if (b.user !== user) b.several = true
}

/**
 * Connection ids are mostly process ids: a canonical decimal below 2^30 becomes a small-integer
 * key, which V8 hashes without touching a string (and which cannot pin the line it came from).
 * Every other id stays a string, so two distinct ids never share a key.
 */
function keyOf (id: string): string | number {
  const n = id.length
  if (n === 0 || n > 9 || (n > 1 && id.charCodeAt(0) === 48)) return flat(id)
  for (let i = 0; i < n; i++) {
    const c = id.charCodeAt(i)
    if (c < 48 || c > 57) return flat(id)
  }
  return Number(id)
}

function sameValues (a: Record<string, string>, b: Record<string, string>): boolean {
  for (const k in b) if (a[k] !== b[k]) return false
  for (const k in a) if (!(k in b)) return false
  return true
}

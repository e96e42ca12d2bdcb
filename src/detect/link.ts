import { ErrorCodes, palisadeError } from '../common/errors.ts'
import type { LinkConfig, PatternConfig } from '../config/types.ts'
import { branchOf, combine, numberGroups, type Combined } from './combine.ts'
import { flat, type ValueCheck } from './values.ts'
import { compilePrefilter, mayMatch } from './literals.ts'
import { OldestKey } from './oldest.ts'

interface Bound {
  values: Record<string, string>
  at: number
  /** the id regex's `host` group, when it has one: an id of another host is another connection */
  host: string | undefined
  /** the first user name this connection tried */
  user: string | undefined
  /** a second, different user name was tried on it */
  several: boolean
}

/**
 * Per-branch facts the regexes state by two named groups, read only for linked lines:
 * `(?<user>…)` the user name the line tried, `(?<forget>)` (empty) the connection ends here.
 * combine() renames an admin's groups per branch (`__uI_name`); here they become numbered groups
 * (group numbers do not change, so combine's slots stay right), because a RegExp with named
 * groups builds a `groups` object on every match, which cost more than the linking itself.
 */
export interface Marks {
  re: RegExp
  /** per regex: the exec slot of its user group */
  user: Array<number | undefined>
  /** per regex: its line ends the connection */
  forget: boolean[]
}

export function linkMarks (c: Combined, regexes: readonly string[]): Marks {
  const forget = regexes.map(r => r.includes('(?<forget>)') || r.includes('(?P<forget>)'))
  const mark = /^__u(\d+)_(?:user|forget)$/
  // a backreference to a renamed group needs the name: leave such a regex as combine() made it
  if (c.re.source.includes('\\k<')) return { re: c.re, user: regexes.map(() => undefined), forget }
  const numbered = numberGroups(c.re.source, name => mark.test(name))
  if (numbered.slots.size === 0) return { re: c.re, user: regexes.map(() => undefined), forget }
  return { re: new RegExp(numbered.source), user: regexes.map((_r, i) => numbered.slots.get(`__u${i}_user`)), forget }
}

/** the user name branch `index` captured in `m`, if any */
export function userOf (m: RegExpExecArray, index: number, marks: Marks): string | undefined {
  const slot = marks.user[index]
  const user = slot === undefined ? undefined : m[slot]
  return user === '' ? undefined : user
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
 * ends its connection: the id is unbound after it, so a reused pid starts clean. An `id` regex
 * may also capture `(?<host>…)`: a line of another host with the same id is another connection.
 */
export class LinkTable {
  private readonly idRe: RegExp
  private readonly idSlot: number
  private readonly hostSlot: number
  /** the host idOf() found on the line it read last */
  private host: string | undefined
  /**
   * The id regex ends with `\[(?<id>\d+)\]`: the id it finds is the digits of one `[N]` of the
   * line, so a line none of whose `[N]` is bound needs no regex to know its id is not bound.
   */
  private readonly bracketId: boolean
  /** the line idOf() read last and its answer: a line is often asked for twice (observe, then lookup) */
  private lastLine: string | undefined
  private lastId: string | undefined
  /** `from` literals the filter's own prefilter does not already imply */
  private readonly fromOnly: RegExp | null
  private readonly from: Combined
  /**
   * The literals of the `from` regexes that bind (those without `(?<forget>)`); null: unknown.
   * A line holding none of them can only end a connection, which changes nothing when its id is
   * not bound: most lines of a busy log (`Accepted`, `Disconnected`) are then settled by the id
   * and one Map lookup instead of the whole `from` regex.
   */
  private readonly binding: RegExp | null
  private readonly fromMarks: Marks
  private readonly bound = new Map<string | number, Bound>()
  private readonly oldest = new OldestKey<string | number>(this.bound)

  private readonly cfg: LinkConfig
  private readonly checkFor: (pattern: string) => ValueCheck
  private readonly max: number

  constructor (
    cfg: LinkConfig,
    patterns: Readonly<Record<string, PatternConfig>>,
    checkFor: (pattern: string) => ValueCheck,
    max: number,
    where: string,
    filterLiterals: readonly string[] | null = null
  ) {
    this.cfg = cfg
    this.checkFor = checkFor
    this.max = max
    // a numbered group: a named one makes every exec build a `groups` object
    const source = cfg.id.replace('(?P<id>', '(?<id>').replace('(?P<host>', '(?<host>')
    const numbered = numberGroups(source, name => name === 'id' || name === 'host')
    this.idSlot = numbered.slots.get('id') ?? -1
    this.bracketId = BRACKET_ID.test(source)
    this.hostSlot = numbered.slots.get('host') ?? -1
    try {
      this.idRe = new RegExp(numbered.source)
    } catch (err) {
      throw palisadeError(ErrorCodes.CONFIG_INVALID, `${where}.link.id: invalid regex: ${(err as Error).message}`, err)
    }
    if (!cfg.id.includes('(?<id>') && !cfg.id.includes('(?P<id>')) {
      throw palisadeError(ErrorCodes.CONFIG_INVALID, `${where}.link.id: needs a named group (?<id>…)`)
    }
    this.from = combine(cfg.from, patterns, `${where}.link.from`)
    this.fromMarks = linkMarks(this.from, cfg.from)
    const lits = this.from.literals
    this.fromOnly =
      lits === null || filterLiterals === null
        ? this.from.prefilter
        : compilePrefilter(lits.filter(l => !filterLiterals.some(f => l.includes(f))))
    const forget = this.fromMarks.forget
    const bindLits = this.from.branchLiterals.filter((_l, i) => !forget[i])
    this.binding = bindLits.some(l => l === null) ? null : compilePrefilter([...new Set(bindLits.flat() as string[])])
    if (this.from.found.length === 0) { throw palisadeError(ErrorCodes.CONFIG_INVALID, `${where}.link.from: no <pattern> to bind`) }
  }

  /** one of these occurs in every `from` line (null: unknown) */
  get literals (): readonly string[] | null {
    return this.from.literals
  }

  /** one `[N]` of the line (N decimal digits) is a bound id; see `bracketId` */
  private anyBracketBound (line: string): boolean {
    const n = line.length
    for (let i = line.indexOf('['); i !== -1; i = line.indexOf('[', i + 1)) {
      let j = i + 1
      let v = 0
      while (j < n) {
        const c = line.charCodeAt(j)
        if (c < 48 || c > 57) break
        v = v * 10 + c - 48
        j++
      }
      if (j === i + 1 || line.charCodeAt(j) !== 93) continue
      const digits = j - i - 1
      // the key keyOf() gives these digits: a number when canonical and short, else the text
      const key = digits > 9 || (digits > 1 && line.charCodeAt(i + 1) === 48) ? line.slice(i + 1, j) : v
      if (this.bound.has(key)) return true
    }
    return false
  }

  /** patterns the `from` regexes capture */
  get found (): readonly string[] {
    return this.from.found
  }

  /** the line's connection id, and its host (the id regex's optional `host` group) in `this.host` */
  private idOf (line: string): string | undefined {
    if (line === this.lastLine) return this.lastId
    this.lastLine = line
    const m = this.idRe.exec(line)
    if (m === null) return (this.lastId = undefined)
    this.host = this.hostSlot === -1 ? undefined : m[this.hostSlot]
    return (this.lastId = m[this.idSlot])
  }

  /**
   * Bind the line's id when it is a `from` line; returns the values to count when the line is
   * one a multi-user connection makes a failure, else null. `filterPrefiltered`: the line already
   * failed the filter's own literal prefilter, so only the literals that one does not imply can occur.
   */
  observe (line: string, time: number, filterPrefiltered = false): Record<string, string> | null {
    if (this.binding === null) {
      if (!mayMatch(line, filterPrefiltered ? this.fromOnly : this.from.prefilter)) return null
    } else if (!this.binding.test(line)) {
      // only a line ending a connection can match: without a binding on its id it changes nothing
      if (this.bracketId && !this.anyBracketBound(line)) return null
      const id = this.idOf(line)
      if (id === undefined || !this.bound.has(keyOf(id))) return null
      if (!mayMatch(line, filterPrefiltered ? this.fromOnly : this.from.prefilter)) return null
    }
    // (a binding literal implies one of `from`'s own, and one the filter's prefilter does not imply)
    const m = this.fromMarks.re.exec(line)
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
    const user = userOf(m, branch.index, this.fromMarks)
    const several = this.merge(id, values, time, user, this.fromMarks.forget[branch.index])
    return user !== undefined && several ? values : null
  }

  /** A filter line that named its values binds its connection too (no second regex run). */
  bind (line: string, values: Record<string, string>, time: number, user?: string, forget = false): void {
    const id = this.idOf(line)
    if (id !== undefined) this.merge(id, values, time, user, forget)
  }

  /** The values bound to this line's id, if still live. */
  lookup (line: string, time: number, user?: string, forget = false): Record<string, string> | null {
    const id = this.idOf(line)
    if (id === undefined) return null
    const key = keyOf(id)
    const b = this.bound.get(key)
    if (b === undefined || b.host !== this.host) return null
    const expired = time - b.at > this.cfg.ttl
    if (expired || forget) this.bound.delete(key)
    if (expired) return null
    b.at = time
    addUser(b, user)
    return b.values
  }

  /** Bind (or end) the connection; true when two different users have now been tried on it. */
  private merge (
    id: string,
    values: Record<string, string>,
    time: number,
    user: string | undefined,
    forget: boolean
  ): boolean {
    const key = keyOf(id)
    let b = this.bound.get(key)
    if (b !== undefined && time - b.at > this.cfg.ttl) {
      this.bound.delete(key)
      b = undefined
    }
    const host = this.host
    if (b === undefined || b.host !== host || !sameValues(b.values, values)) {
      // a new connection, or another host's or address' on this id (one that reused the pid)
      if (b !== undefined) this.bound.delete(key)
      if (!forget) {
        this.insert(key, {
          values,
          at: time,
          host: host === undefined ? undefined : flat(host),
          user: user === undefined ? undefined : flat(user),
          several: false
        })
      }
      return false
    }
    if (forget) this.bound.delete(key)
    // the usual case (one connection, several lines): refresh in place; re-inserting to keep
    // strict recency cost more than all the matching, and a live connection is rarely the
    // oldest of `max` ids anyway
    b.at = time
    addUser(b, user)
    return b.several
  }

  private insert (key: string | number, b: Bound): void {
    // a string key is copied only here: lookups may use a slice of the line
    this.bound.set(typeof key === 'string' ? flat(key) : key, b)
    if (this.bound.size > this.max) {
      const oldest = this.oldest.next()
      if (oldest !== undefined) this.bound.delete(oldest)
    }
  }

  get size (): number {
    return this.bound.size
  }
}

/** an id regex ending with its id group as `[digits]` (the `[` not itself escaped) */
const BRACKET_ID = /(?:^|[^\\])(?:\\\\)*\\\[\(\?<id>\\d\+\)\\\]$/

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
  if (n === 0 || n > 9 || (n > 1 && id.charCodeAt(0) === 48)) return id
  let v = 0
  for (let i = 0; i < n; i++) {
    const c = id.charCodeAt(i)
    if (c < 48 || c > 57) return id
    v = v * 10 + c - 48
  }
  return v
}

function sameValues (a: Record<string, string>, b: Record<string, string>): boolean {
  for (const k in b) if (a[k] !== b[k]) return false
  for (const k in a) if (!(k in b)) return false
  return true
}

import {
  caseClosure,
  caseVariants,
  complement,
  normalize,
  posixClass,
  posixNames,
  renderRanges,
  unicodeProperty
} from './regex-classes.ts'
import type { Range } from './regex-classes.ts'

/**
 * The regex dialect of configs: JavaScript syntax, plus what reaction's configs (Go's RE2, then
 * Rust's regex crate) contain, translated to a JavaScript source compiled without flags — one
 * combined RegExp per filter holds several admin regexes, so a per-regex flag must become syntax:
 *
 * | written | becomes |
 * | --- | --- |
 * | `(?i)`, `(?i:…)`, `(?-i)` | letters as `[aA]`, classes closed under case |
 * | `(?s)` | `.` as `[\s\S]` |
 * | `(?m)` | `^` as `(?<![^\n])`, `$` as `(?![^\n])` |
 * | `(?U)` | greedy and lazy quantifiers swapped |
 * | `(?x)` | whitespace and `#` comments dropped |
 * | `(?P<n>…)` | `(?<n>…)` |
 * | `\A`, `\z` | `^`, `$` |
 * | `[[:alnum:]]`, `[[:^digit:]]` | ASCII ranges |
 * | `\pL`, `\p{L}`, `\PL`, `\p{Greek}`, `\p{^L}` | ranges (Basic Multilingual Plane) |
 * | `\Q…\E`, `\x{41}`, `\a` | literal characters |
 * | `[]a]` (Go: `]` first is literal) | `[\]a]` |
 *
 * Whatever would load in JavaScript but mean something else (`\Z`, `\C`, an unknown letter
 * escape, which JavaScript reads as the letter, a numbered backreference that combining would
 * renumber) is refused with its offset. A plain JavaScript regex comes out unchanged.
 */

/** `syntax`: JavaScript refuses the text too (an unclosed group), so its own wording may be shown */
export type Dialect = { ok: true, source: string } | { ok: false, message: string, offset: number, syntax: boolean }

export interface DialectOptions {
  /** `<name>` is a pattern placeholder, kept as written (filter regexes) */
  placeholders?: boolean
}

interface Flags { i: boolean, m: boolean, s: boolean, U: boolean, x: boolean }

class DialectError extends Error {
  readonly offset: number
  readonly syntax: boolean
  constructor (message: string, offset: number, syntax: boolean) {
    super(message)
    this.offset = offset
    this.syntax = syntax
  }
}

const SYNTAX = new Set(['unbalanced `)`', 'missing `)`', 'missing `]`', 'trailing `\\`'])

const QUANT = /^(?:[*+?]|\{\d+(?:,\d*)?\})/
const PLACEHOLDER = /^<[A-Za-z_][A-Za-z0-9_]*>/
const SIMPLE_ESCAPES: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 }
const PUNCT = /[!-/:-@[-`{-~]/

export function translateRegex (src: string, opts: DialectOptions = {}): Dialect {
  try {
    return { ok: true, source: new Translator(src, opts.placeholders === true).run() }
  } catch (err) {
    if (err instanceof DialectError) return { ok: false, message: err.message, offset: err.offset, syntax: err.syntax }
    throw err
  }
}

/** For messages: the reason and where in the regex. */
export function dialectMessage (d: Extract<Dialect, { ok: false }>): string {
  return `${d.message} (at character ${d.offset + 1} of the regex)`
}

function literalEscape (c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? '\\' + c : c
}

class Translator {
  private p = 0
  private out = ''
  private readonly stack: Flags[] = [{ i: false, m: false, s: false, U: false, x: false }]
  private readonly src: string
  private readonly placeholders: boolean

  constructor (src: string, placeholders: boolean) {
    this.src = src
    this.placeholders = placeholders
  }

  private get f (): Flags { return this.stack[this.stack.length - 1] }

  private fail (message: string, at = this.p): never { throw new DialectError(message, at, SYNTAX.has(message)) }

  run (): string {
    const s = this.src
    while (this.p < s.length) {
      const c = s[this.p]
      if (this.f.x && /\s/.test(c)) { this.p++; continue }
      if (this.f.x && c === '#') { while (this.p < s.length && s[this.p] !== '\n') this.p++; continue }
      if (c === '\\') this.escape()
      else if (c === '[') this.out += this.klass()
      else if (c === '(') this.open()
      else if (c === ')') {
        if (this.stack.length === 1) this.fail('unbalanced `)`')
        this.stack.pop(); this.out += c; this.p++
      } else if (c === '.') { this.out += this.f.s ? '[\\s\\S]' : '.'; this.p++ } else if (c === '^') { this.out += this.f.m ? '(?<![^\\n])' : '^'; this.p++ } else if (c === '$') { this.out += this.f.m ? '(?![^\\n])' : '$'; this.p++ } else if (c === '|') { this.out += c; this.p++ } else if (QUANT.test(s.slice(this.p, this.p + 16))) this.quantifier()
      else if (c === '<' && this.placeholders && PLACEHOLDER.test(s.slice(this.p, this.p + 80))) {
        const ph = PLACEHOLDER.exec(s.slice(this.p, this.p + 80))![0]
        this.out += ph; this.p += ph.length
      } else if (c === '{') { this.literal('{', '\\{'); this.p++ } else {
        const cp = s.codePointAt(this.p)!
        const ch = String.fromCodePoint(cp)
        this.literal(ch, ch)
        this.p += ch.length
      }
    }
    if (this.stack.length > 1) this.fail('missing `)`', s.length)
    return this.out
  }

  private literal (ch: string, asWritten: string): void {
    const v = this.f.i ? caseVariants(ch) : []
    if (v.length === 0) { this.out += asWritten; return }
    const c = ch.charCodeAt(0)
    this.out += '[' + renderRanges(normalize([[c, c], ...v.map((x): Range => [x, x])])) + ']'
  }

  private quantifier (): void {
    const q = QUANT.exec(this.src.slice(this.p, this.p + 16))![0]
    this.p += q.length
    let lazy = this.src[this.p] === '?'
    if (lazy) this.p++
    if (this.src[this.p] === '+' && !q.startsWith('{')) this.fail('possessive quantifiers are not supported')
    if (this.f.U) lazy = !lazy
    this.out += q + (lazy ? '?' : '')
  }

  private open (): void {
    const s = this.src
    const rest = s.slice(this.p, this.p + 80)
    const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest)
    const look = /^\(\?(?:[:=!]|<[=!])/.exec(rest)
    const flags = /^\(\?([imsUxuR-]*)([:)])/.exec(rest)
    this.stack.push({ ...this.f })
    if (named !== null) { this.out += `(?<${named[1]}>`; this.p += named[0].length; return }
    if (look !== null) { this.out += look[0]; this.p += look[0].length; return }
    if (flags !== null && flags[1] !== '') {
      const target = flags[2] === ')' ? this.stack[this.stack.length - 2] : this.f
      if (flags[2] === ')') this.stack.pop()
      this.setFlags(flags[1], target)
      this.p += flags[0].length
      if (flags[2] === ':') this.out += '(?:'
      return
    }
    if (rest.startsWith('(?')) this.fail(`unknown group syntax \`${rest.slice(0, 4)}\``)
    this.out += '('; this.p++
  }

  private setFlags (text: string, target: Flags): void {
    let on = true
    for (const ch of text) {
      if (ch === '-') { if (!on) this.fail('flag `-` given twice'); on = false; continue }
      if (ch === 'u' || ch === 'R') continue // Rust's Unicode and CRLF modes: no effect on one line
      target[ch as keyof Flags] = on
    }
  }

  private escape (): void {
    const s = this.src
    const at = this.p
    const n = s[this.p + 1]
    if (n === undefined) this.fail('trailing `\\`')
    this.p += 2
    if (n === 'A') { this.out += '^'; return }
    if (n === 'z') { this.out += '$'; return }
    if (n === 'Q') {
      const end = s.indexOf('\\E', this.p)
      const body = s.slice(this.p, end === -1 ? s.length : end)
      for (const ch of body) this.literal(ch, literalEscape(ch))
      this.p = end === -1 ? s.length : end + 2
      return
    }
    if (n === 'E') return // a stray \E closes nothing (Go ignores it)
    if ('dDwWsSbB'.includes(n)) { this.out += '\\' + n; return }
    if (n === 'k' && s[this.p] === '<') {
      if (this.f.i) this.fail('a backreference cannot be case-insensitive here', at)
      const end = s.indexOf('>', this.p)
      this.out += s.slice(at, end + 1); this.p = end + 1
      return
    }
    if (n === 'p' || n === 'P') { this.out += '[' + renderRanges(this.property(n === 'P', at)) + ']'; return }
    const cp = this.codeEscape(n, at)
    if (cp !== null) {
      this.literal(String.fromCharCode(cp), this.jsForm(at, cp))
      return
    }
    if (PUNCT.test(n)) { this.literal(n, '\\' + n); return }
    if (n === ' ') { this.out += ' '; return } // Rust's escaped space, for (?x)
    if (/[1-9]/.test(n)) this.fail(`numbered backreference \`\\${n}\`: combining regexes renumbers groups; name the group (?<x>…) and use \\k<x>`, at)
    if (n === 'Z') this.fail('`\\Z` is not supported: use `\\z` (end of text) or `$`', at)
    this.fail(`unknown escape \`\\${n}\``, at)
  }

  /** the escape as written when JavaScript reads it the same (`\t`, `\x41`), else `\uHHHH` */
  private jsForm (at: number, cp: number): string {
    const text = this.src.slice(at, this.p)
    return /^\\(?:[ftnrv0]|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4})$/.test(text) ? text : '\\u' + cp.toString(16).padStart(4, '0')
  }

  /** \xHH, \x{H…}, \uHHHH, \0, \a \f \t \n \r \v: the code unit, or null */
  private codeEscape (n: string, at: number): number | null {
    const s = this.src
    if (n in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[n]
    if (n === '0') {
      if (/[0-7]/.test(s[this.p] ?? '')) this.fail('octal escapes are not supported: use `\\xHH`', at)
      return 0
    }
    const m = n === 'x' ? /^(?:\{([0-9A-Fa-f]{1,6})\}|([0-9A-Fa-f]{2}))/.exec(s.slice(this.p)) : n === 'u' ? /^()([0-9A-Fa-f]{4})/.exec(s.slice(this.p)) : null
    if (m === null) {
      if (n === 'x' || n === 'u') this.fail(`malformed \`\\${n}\` escape`, at)
      return null
    }
    const cp = parseInt(m[1] || m[2], 16)
    if (cp > 0xffff) this.fail('a character beyond U+FFFF cannot be written as an escape here', at)
    this.p += m[0].length
    return cp
  }

  /** after `\p` or `\P`: its ranges, case-closed under (?i) */
  private property (negated: boolean, at: number): Range[] {
    const s = this.src
    let name: string
    if (s[this.p] === '{') {
      const end = s.indexOf('}', this.p)
      if (end === -1) this.fail('missing `}` after `\\p{`', at)
      name = s.slice(this.p + 1, end); this.p = end + 1
    } else {
      name = s[this.p] ?? ''; this.p++
    }
    if (name.startsWith('^')) { negated = !negated; name = name.slice(1) }
    const ranges = unicodeProperty(name)
    if (ranges === null) this.fail(`unknown Unicode property \`${name}\``, at)
    const cased = this.f.i ? caseClosure(ranges) : ranges
    return negated ? complement(cased) : cased
  }

  /** `[…]` with Go's rules; the original text when nothing in it needs translating */
  private klass (): string {
    const s = this.src
    const start = this.p
    this.p++
    const negated = s[this.p] === '^'
    if (negated) this.p++
    const ranges: Range[] = []
    const raw: string[] = []
    let rewrite = this.f.i
    if (s[this.p] === ']') { ranges.push([0x5d, 0x5d]); rewrite = true; this.p++ }
    let prev: number | null = null
    while (true) {
      const c = s[this.p]
      if (c === undefined) this.fail('missing `]`', start)
      if (c === ']') { this.p++; break }
      if (c === '[' && s[this.p + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(s.slice(this.p))
        if (m === null) this.fail('malformed POSIX class (expected `[:name:]`)')
        const set = posixClass(m[2])
        if (set === undefined) this.fail(`unknown POSIX class \`[:${m[2]}:]\`; known: ${posixNames().join(', ')}`)
        ranges.push(...(m[1] === '^' ? complement(set) : set))
        rewrite = true; prev = null; this.p += m[0].length
        continue
      }
      if (c === '-' && prev !== null && s[this.p + 1] !== ']') {
        this.p++
        const atom = this.classAtom()
        if (atom.cp === undefined) this.fail('a range must end with a character')
        if (atom.cp < prev) this.fail('range out of order')
        if (atom.rewrite) rewrite = true
        ranges.push([prev, atom.cp]); prev = null
        continue
      }
      if (c === '&' && s[this.p + 1] === '&') this.fail('class intersection `&&` is not supported')
      const atom = this.classAtom()
      if (atom.rewrite) rewrite = true
      if (atom.text !== undefined) raw.push(atom.text)
      if (atom.cp !== undefined) { ranges.push([atom.cp, atom.cp]); prev = atom.cp } else prev = null
    }
    if (!rewrite) return s.slice(start, this.p)
    const members = this.f.i ? caseClosure(normalize(ranges)) : normalize(ranges)
    return '[' + (negated ? '^' : '') + renderRanges(members) + raw.join('') + ']'
  }

  /**
   * One member: a code unit, or class text (`\d`, an expanded `\p{L}`); `rewrite` when JavaScript would read
   * it otherwise
   */
  private classAtom (): { cp?: number, text?: string, rewrite: boolean } {
    const s = this.src
    const c = s[this.p]
    if (c !== '\\') {
      const cp = s.codePointAt(this.p)!
      if (cp > 0xffff) this.fail('a character beyond U+FFFF cannot be in a class here')
      this.p++
      return { cp, rewrite: false }
    }
    const at = this.p
    const n = s[this.p + 1]
    if (n === undefined) this.fail('trailing `\\`')
    this.p += 2
    if ('dDwWsS'.includes(n)) return { text: '\\' + n, rewrite: false }
    if (n === 'p' || n === 'P') return { text: renderRanges(this.property(n === 'P', at)), rewrite: true }
    const cp = this.codeEscape(n, at)
    if (cp !== null) return { cp, rewrite: this.jsForm(at, cp) !== s.slice(at, this.p) }
    if (PUNCT.test(n)) return { cp: n.charCodeAt(0), rewrite: false }
    this.fail(`unknown escape \`\\${n}\` in a class`, at)
  }
}

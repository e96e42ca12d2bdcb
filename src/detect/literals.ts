/**
 * Cheap rejection before the regex: most log lines match no filter (70 % of an sshd log are
 * successful logins and session lines), and `String.includes` of a few literals is several times
 * cheaper than running a combined regex that fails. For each branch we find a literal the branch
 * cannot match without (a run of plain characters at its top level, not under a quantifier); a
 * line containing none of the branches' literals cannot match. When any branch has no such
 * literal (top-level `|`, escapes we do not model), there is no prefilter: correctness first.
 */

/**
 * The literals as one alternation: V8 scans a line once for all of them, about twice as fast as
 * one `includes` per literal (bench/detect.ts, 1M sshd lines: 82 ms against 170 ms). null
 * literals: no prefilter; no literals: nothing may match.
 */
export function compilePrefilter (literals: readonly string[] | null, flags = ''): RegExp | null {
  if (literals === null) return null
  if (literals.length === 0) return new RegExp('(?!)', flags)
  return new RegExp(literals.map(l => l.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|'), flags)
}

/** True when the line may match: no prefilter, or one of its literals occurs in the line. */
export function mayMatch (line: string, prefilter: RegExp | null): boolean {
  return prefilter === null || prefilter.test(line)
}

/** The literals one of which every matching line contains, or null when no prefilter is safe. */
export function prefilterLiterals (bodies: readonly string[]): string[] | null {
  return unionOfLiterals(bodies.map(requiredLiterals))
}

/** The prefilter literals from each body's requiredLiterals(): null when one body has none. */
export function unionOfLiterals (sets: ReadonlyArray<readonly string[] | null>): string[] | null {
  const lits: string[] = []
  for (const set of sets) {
    if (set === null) return null
    lits.push(...set)
  }
  // a literal containing another is implied by it: keep the shorter
  const unique = [...new Set(lits)].sort((a, b) => a.length - b.length)
  return unique.filter((l, i) => !unique.slice(0, i).some(s => l.includes(s)))
}

/** a mandatory group of plain alternatives: `(?:Invalid|Illegal) ` */
const ALTERNATION = /^\(\?:([^()[\]\\|?*+{}.^$]+(?:\|[^()[\]\\|?*+{}.^$]+)+)\)(?![?*+{])/

/**
 * Literals one of which a line matching this regex body must contain: the longest mandatory
 * run of plain characters, or, when longer, the alternatives of a mandatory group of plain
 * words each followed by the run after it (`(?:Invalid|Illegal) user ` → `Invalid user `,
 * `Illegal user `). null when there is none of at least 3 characters.
 */
export function requiredLiterals (src: string): string[] | null {
  let best: string[] = []
  const score = (set: readonly string[]): number => set.length === 0 ? 0 : Math.min(...set.map(x => x.length))
  let run = ''
  let alts: string[] | null = null
  const end = (): void => {
    if (alts !== null) {
      const set = alts.map(a => a + run)
      if (score(set) > score(best)) best = set
      alts = null
    } else if (run.length > score(best)) {
      best = [run]
    }
    run = ''
  }
  let i = 0
  while (i < src.length) {
    const c = src[i]
    if (c === '\\') {
      const n = src[i + 1]
      if (n === undefined || /[uxpPkc0-9]/.test(n)) return null
      if (/[dDwWsSbBnrtfv]/.test(n)) { end(); i += 2; continue }
      run += n
      i += 2
    } else if (c === '(') {
      end()
      const alt = ALTERNATION.exec(src.slice(i))
      if (alt !== null) {
        alts = alt[1].split('|')
        i += alt[0].length
        continue
      }
      const j = skipGroup(src, i)
      if (j < 0) return null
      // a mandatory group of alternatives that are regexes themselves
      // (`(?:Connection (?:closed|reset)|Disconnected)`): each holds a literal, so the line holds one of them
      const head = /^\((?:(?!\?)|\?:|\?<[A-Za-z_]\w*>)/.exec(src.slice(i, i + 64))
      if (head !== null && !/^(?:[?*]|\{0[,}])/.test(src.slice(j))) {
        const sets = splitTop(src.slice(i + head[0].length, j - 1)).map(requiredLiterals)
        if (sets.every(x => x !== null)) {
          const union = [...new Set(sets.flat())]
          if (score(union) > score(best)) best = union
        }
      }
      i = j
    } else if (c === '[') {
      end()
      i = skipClass(src, i)
      if (i < 0) return null
    } else if (c === '|') {
      return null
    } else if (c === '?' || c === '*' || c === '+') {
      // the character before was optional or repeated: it is not part of a mandatory run
      run = run.slice(0, -1)
      end()
      i++
      if (src[i] === '?') i++
    } else if (c === '{') {
      const q = /^\{\d+(?:,\d*)?\}\??/.exec(src.slice(i))
      if (q === null) return null
      run = run.slice(0, -1)
      end()
      i += q[0].length
    } else if (c === '.' || c === '^' || c === '$' || c === ')' || c === ']') {
      end()
      i++
    } else {
      run += c
      i++
    }
    // a quantifier right after a group or class makes it optional: already not in the run
    if ((src[i - 1] === ')' || src[i - 1] === ']') && /[?*+{]/.test(src[i] ?? '')) {
      const q = /^(?:[?*+]|\{\d+(?:,\d*)?\})\??/.exec(src.slice(i))
      if (q === null) return null
      i += q[0].length
    }
  }
  end()
  return score(best) >= 3 ? best : null
}

/** the top-level alternatives of a group's content */
function splitTop (src: string): string[] {
  const out: string[] = []
  let depth = 0
  let from = 0
  for (let i = 0; i < src.length; i++) {
    const c = src[i]
    if (c === '\\') { i++; continue }
    if (c === '[') { const j = skipClass(src, i); if (j < 0) return [src]; i = j - 1; continue }
    if (c === '(') depth++
    else if (c === ')') depth--
    else if (c === '|' && depth === 0) { out.push(src.slice(from, i)); from = i + 1 }
  }
  out.push(src.slice(from))
  return out
}

/** index just past the `)` closing the group opened at `start`, or -1 */
function skipGroup (src: string, start: number): number {
  let depth = 0
  for (let i = start; i < src.length; i++) {
    const c = src[i]
    if (c === '\\') { i++; continue }
    if (c === '[') { i = skipClass(src, i) - 1; if (i < 0) return -1; continue }
    if (c === '(') depth++
    else if (c === ')' && --depth === 0) return i + 1
  }
  return -1
}

/** index just past the `]` closing the class opened at `start`, or -1 */
function skipClass (src: string, start: number): number {
  let i = start + 1
  if (src[i] === '^') i++
  if (src[i] === ']') i++
  for (; i < src.length; i++) {
    if (src[i] === '\\') { i++; continue }
    if (src[i] === ']') return i + 1
  }
  return -1
}

/**
 * The longest leading part all bodies share that is a whole regex unit (no open group or
 * class, not cut inside an escape, not followed by a quantifier in any body), so that
 * `(?:P r0)|(?:P r1)` can become `P(?:r0|r1)` and P is matched once per attempt instead of
 * once per branch. '' when there is none, or when a body has a top-level `|`.
 */
export function commonPrefix (bodies: readonly string[]): string {
  if (bodies.length < 2) return ''
  let lcp = bodies[0]
  for (const b of bodies) {
    let k = 0
    while (k < lcp.length && k < b.length && lcp[k] === b[k]) k++
    lcp = lcp.slice(0, k)
  }
  if (bodies.some(hasTopLevelAlternation)) return ''
  let safe = 0
  let depth = 0
  for (let i = 0; i < lcp.length; i++) {
    const c = lcp[i]
    if (c === '\\') {
      i++
    } else if (c === '[') {
      const j = skipClass(lcp, i)
      if (j < 0) break
      i = j - 1
    } else if (c === '(') {
      depth++
    } else if (c === ')') {
      depth--
    }
    const at = i + 1
    if (depth === 0 && at <= lcp.length && bodies.every(b => !/[?*+{]/.test(b[at] ?? ''))) safe = at
  }
  return lcp.slice(0, safe)
}

function hasTopLevelAlternation (src: string): boolean {
  let depth = 0
  for (let i = 0; i < src.length; i++) {
    const c = src[i]
    if (c === '\\') { i++; continue }
    if (c === '[') { i = skipClass(src, i) - 1; if (i < 0) return true; continue }
    if (c === '(') depth++
    else if (c === ')') depth--
    else if (c === '|' && depth === 0) return true
  }
  return false
}

import { createRequire } from 'node:module'

/**
 * Backtracking risk of a regex, checked at load: V8's matcher backtracks, and an admin regex
 * such as `(\w+\s?)+$` takes seconds on one line of words, during which the daemon stops reading
 * every stream. scslre (the analysis behind eslint-plugin-regexp) finds the quantifiers that can
 * trade characters among themselves and says whether the cost is exponential.
 *
 * - exponential: refused at load; the message names a character whose repetition triggers it.
 * - polynomial (`.*a.*a`, quadratic or worse on a long line that fails late): loaded, and the
 *   daemon warns once at start (src/detect/detector.ts): such regexes are common and usually
 *   harmless on lines capped in length (docs/limits.md), refusing them would refuse presets.
 *
 * Presets are checked by a unit test, not at each load: the analysis costs ~3 ms per regex.
 */
export interface BacktrackingRisk {
  exponential: boolean
  /** a character whose repetition makes the regex slow */
  character: string
  message: string
}

interface Report { exponential: boolean, character: { pick: string } }
type Analyse = (literal: { source: string, flags: string }, opts: { maxReports: number }) => { reports: Report[] }

let analyseFn: Analyse | undefined

function analyser (): Analyse {
  // loaded on first use: a config made only of presets never pays for the analyser
  analyseFn ??= (createRequire(import.meta.url)('scslre') as { analyse: Analyse }).analyse
  return analyseFn
}

/**
 * Drop the analyser once a running daemon has checked its regexes: with it out of the require
 * cache its modules (~3 MB of heap, two thirds of it refa's source text) can be collected; a
 * reload that checks regexes again loads it again.
 */
export function releaseAnalyser (): void {
  if (analyseFn === undefined) return
  analyseFn = undefined
  const cache = createRequire(import.meta.url).cache
  for (const key of Object.keys(cache)) {
    if (/[/\\]node_modules[/\\](?:scslre|refa|regexp-ast-analysis|@eslint-community[/\\]regexpp)[/\\]/.test(key)) delete cache[key]
  }
}

/** The worst risk found in a JavaScript regex source (compiled without flags), or null. */
export function backtrackingRisk (source: string): BacktrackingRisk | null {
  let reports: Report[]
  try {
    reports = analyser()({ source, flags: '' }, { maxReports: 8 }).reports
  } catch {
    // a syntax the analyser does not parse (it is stricter than V8 on some escapes): no verdict
    return null
  }
  if (reports.length === 0) return null
  const worst = reports.find(r => r.exponential) ?? reports[0]
  const ch = JSON.stringify(worst.character.pick)
  return {
    exponential: worst.exponential,
    character: worst.character.pick,
    message: worst.exponential
      ? `this regex can take exponential time (a line with many ${ch} characters makes it backtrack for seconds and stalls every stream); make the nested or adjacent quantifiers unable to match the same text, e.g. \`(\\w+\\s?)+\` → \`\\w+(?:\\s\\w+)*\``
      : `this regex can take quadratic time or worse on long lines of ${ch} characters`
  }
}

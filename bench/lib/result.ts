import { round, summarize, type Summary } from './stats.ts'

/**
 * One benchmark figure. `target` is a comparison such as ">=2000000" or "<50" (null when no target
 * is set); `met` is null then. `skipped` carries the reason a figure could not be measured.
 */
export interface BenchResult {
  bench: string
  metric: string
  unit: string
  median: number | null
  min: number | null
  max: number | null
  runs: number
  target: string | null
  met: boolean | null
  cmd: string
  skipped?: string
  note?: string
}

export const JSON_PREFIX = '{"bench":'

/** does `value` satisfy a target written as ">=N", ">N", "<=N" or "<N" */
export function meets (value: number, target: string): boolean {
  const m = /^(>=|<=|>|<)\s*(-?[\d.e+]+)$/.exec(target.trim())
  if (m === null) throw new Error(`bad target ${target}`)
  const t = Number(m[2])
  switch (m[1]) {
    case '>=': return value >= t
    case '>': return value > t
    case '<=': return value <= t
    default: return value < t
  }
}

export function result (bench: string, metric: string, unit: string, samples: readonly number[] | Summary,
  opts: { target?: string, cmd: string, note?: string }): BenchResult {
  const s = Array.isArray(samples) ? summarize(samples) : samples as Summary
  const target = opts.target ?? null
  return {
    bench, metric, unit, median: round(s.median), min: round(s.min), max: round(s.max), runs: s.runs,
    target, met: target === null || !Number.isFinite(s.median) ? null : meets(s.median, target), cmd: opts.cmd,
    ...(opts.note === undefined ? {} : { note: opts.note })
  }
}

export function skipped (
  bench: string,
  metric: string,
  unit: string,
  reason: string,
  cmd: string,
  target?: string
): BenchResult {
  return {
    bench,
    metric,
    unit,
    median: null,
    min: null,
    max: null,
    runs: 0,
    target: target ?? null,
    met: null,
    cmd,
    skipped: reason
  }
}

/** print the machine-readable line (exactly one line per result, starting with {"bench": ) */
export function emit (r: BenchResult): void {
  process.stdout.write(JSON.stringify(r) + '\n')
}

export function parseResults (text: string): BenchResult[] {
  return text.split('\n').filter(l => l.startsWith(JSON_PREFIX)).flatMap(l => {
    try {
      const r = JSON.parse(l) as BenchResult
      return typeof r.metric === 'string' ? [r] : []
    } catch { return [] }
  })
}

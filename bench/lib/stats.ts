/** Order statistics for benchmark samples (no interpolation: every reported figure was measured). */

export interface Summary { median: number, min: number, max: number, runs: number }

export function summarize (samples: readonly number[]): Summary {
  if (samples.length === 0) return { median: NaN, min: NaN, max: NaN, runs: 0 }
  const s = [...samples].sort((a, b) => a - b)
  const mid = s.length >> 1
  const median = s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
  return { median, min: s[0], max: s[s.length - 1], runs: s.length }
}

/** nearest-rank percentile of already sorted values, p in [0, 1] */
export function percentile (sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))]
}

/** round to a few significant digits so JSON lines and tables stay readable */
export function round (x: number): number {
  if (!Number.isFinite(x)) return x
  const a = Math.abs(x)
  if (a >= 1000) return Math.round(x)
  if (a >= 100) return Math.round(x * 10) / 10
  if (a >= 1) return Math.round(x * 100) / 100
  return Math.round(x * 1000) / 1000
}

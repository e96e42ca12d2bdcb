import type { BenchResult } from './result.ts'

function num (x: number | null): string {
  if (x === null || !Number.isFinite(x)) return '–'
  return x.toLocaleString('en-US', { maximumFractionDigits: Math.abs(x) >= 100 ? 0 : 2 })
}

function status (r: BenchResult): string {
  if (r.skipped !== undefined) return 'skipped'
  if (r.met === null) return ''
  return r.met ? 'met' : '**missed**'
}

/** A Markdown table: readable in a terminal and in the README alike. */
export function formatTable (results: readonly BenchResult[]): string {
  const rows = [['benchmark', 'metric', 'median', 'min–max', 'runs', 'target', ''], ['---', '---', '---:', '---:', '---:', '---', '---']]
  for (const r of results) {
    rows.push([
      r.bench, r.metric,
      r.skipped !== undefined ? '–' : `${num(r.median)} ${r.unit}`,
      r.skipped !== undefined ? '–' : `${num(r.min)}–${num(r.max)}`,
      String(r.runs),
      r.target === null ? '' : `${r.target.replace('>=', '≥ ').replace('<=', '≤ ').replace(/^([<>])/, '$1 ')} ${r.unit}`,
      status(r)
    ])
  }
  return rows.map(cols => `| ${cols.join(' | ')} |`).join('\n')
}

/** "missed: X (target Y)" and "skipped: X (reason)" lines, one per result concerned */
export function missedLines (results: readonly BenchResult[]): string[] {
  const out: string[] = []
  for (const r of results) {
    if (r.skipped !== undefined) out.push(`skipped: ${r.bench} ${r.metric} (${r.skipped})`)
    else if (r.met === false) out.push(`missed: ${r.bench} ${r.metric} = ${num(r.median)} ${r.unit} (target ${r.target} ${r.unit})`)
  }
  return out
}

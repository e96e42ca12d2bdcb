import { result, skipped, type BenchResult } from './result.ts'

/**
 * Benchmarks written by others print one JSON object per run with their own field names; these
 * specs turn repeated runs of such an object into standard results.
 */
export interface FieldSpec { field: string, metric: string, unit: string, target?: string, scale?: number }

export const FIREWALL_FIELDS: FieldSpec[] = [
  { field: 'startMs', metric: 'start() with 100,000 restored bans (one nft transaction)', unit: 'ms', target: '<1000' },
  { field: 'bansPerSec', metric: '10,000 ban() calls arriving within 1 s: achieved', unit: 'bans/s' },
  { field: 'p50Ms', metric: 'ban() latency p50 at 10,000/s', unit: 'ms' },
  { field: 'p99Ms', metric: 'ban() latency p99 at 10,000/s', unit: 'ms' },
  { field: 'atOncePerSec', metric: '10,000 ban() calls in one tick: capacity', unit: 'bans/s' },
  { field: 'atOnceP99Ms', metric: 'ban() latency p99, 10,000 in one tick', unit: 'ms' },
  { field: 'listMs', metric: 'list() of 120,000 elements', unit: 'ms' }
]

/** field name → unit and target, for objects printed by bench/federation.ts */
const FEDERATION_HINTS: Record<string, { metric?: string, unit: string, target?: string, scale?: number }> = {
  bareVerifyPerSec: { metric: 'bare Ed25519 verify (node:crypto, cached key)', unit: '/s' },
  hotPathPerSec: { metric: 'receive hot path: decode + trust + verify + dedupe', unit: '/s' },
  hotPathRatio: { metric: 'receive hot path ÷ bare verify', unit: '%', target: '>=80', scale: 100 },
  fullReceivePerSec: { metric: 'full receive path incl. LevelDB writes', unit: '/s' },
  catchUpMs: { metric: 'catch-up of 10,000 observations by sync (start → last vote)', unit: 'ms' },
  catchUpPerSec: { metric: 'catch-up rate by sync', unit: '/s' }
}

/** Numeric fields of one run, flattened: nested `[{nodes: 3, p50ms: …}]` become `… 3 nodes p50ms`. */
export function flatten (obj: Record<string, unknown>, prefix = ''): Map<string, number> {
  const out = new Map<string, number>()
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'bench') continue
    if (typeof v === 'number') out.set(prefix + k, v)
    // NaN printed by JSON.stringify: the bench measured nothing there
    else if (v === null) out.set(prefix + k, NaN)
    else if (Array.isArray(v)) {
      for (const item of v) {
        if (typeof item !== 'object' || item === null) continue
        const rec = item as Record<string, unknown>
        const tag = typeof rec.nodes === 'number' ? `${k} ${rec.nodes} nodes ` : `${k} `
        for (const [kk, vv] of flatten(Object.fromEntries(Object.entries(rec).filter(([x]) => x !== 'nodes')), tag)) out.set(kk, vv)
      }
    } else if (typeof v === 'object' && v !== null) {
      for (const [kk, vv] of flatten(v as Record<string, unknown>, `${prefix}${k} `)) out.set(kk, vv)
    }
  }
  return out
}

export function foldFirewall (runs: ReadonlyArray<Record<string, unknown>>, cmd: string): BenchResult[] {
  return FIREWALL_FIELDS.map(s => result('firewall', s.metric, s.unit, runs.map(r => Number(r[s.field])).filter(Number.isFinite), { target: s.target, cmd }))
}

export function foldFederation (runs: ReadonlyArray<Record<string, unknown>>, cmd: string): BenchResult[] {
  const flat = runs.map(r => flatten(r))
  const keys = [...new Set(flat.flatMap(f => [...f.keys()]))].filter(k => !/samples$/.test(k))
  return keys.map(k => {
    const hint = FEDERATION_HINTS[k]
    const unit = hint?.unit ?? (/ms$/i.test(k) ? 'ms' : /PerSec$/.test(k) ? '/s' : '')
    const metric = hint?.metric ?? k.replace(/p(50|99)ms$/, 'p$1').replace(/propagation/, 'propagation publish → onVote,')
    const values = flat.map(f => (f.get(k) ?? NaN) * (hint?.scale ?? 1)).filter(Number.isFinite)
    if (values.length === 0) return skipped('federation', metric, unit, 'bench/federation.ts reported no value (no samples)', cmd, hint?.target)
    return result('federation', metric, unit, values, { target: hint?.target, cmd })
  })
}

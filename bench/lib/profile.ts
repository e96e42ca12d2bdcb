import { readFile } from 'node:fs/promises'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}
interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

export interface SelfTime { fn: string, where: string, ms: number, percent: number }

/**
 * Top self-time functions of a V8 .cpuprofile (node --cpu-prof), merged by function and location.
 * `window` keeps only the samples taken between two CLOCK_MONOTONIC readings in µs (the profile's
 * own clock, as `process.hrtime.bigint() / 1000n` reads it in another process); percentages are then
 * of the window.
 */
export async function topSelfTime (path: string, n = 5, window?: { from: number, to: number }): Promise<SelfTime[]> {
  const p = JSON.parse(await readFile(path, 'utf8')) as CpuProfile
  const byId = new Map(p.nodes.map(x => [x.id, x]))
  const selfUs = new Map<number, number>()
  let t = p.startTime
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0
    if (window !== undefined && (t < window.from || t > window.to)) continue
    selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0))
  }
  const total = window === undefined ? p.endTime - p.startTime : window.to - window.from
  const merged = new Map<string, SelfTime>()
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame
    const where = f.url === '' ? '' : `${f.url.replace(/^file:\/\//, '').replace(/^.*?\/(src|bin|node_modules)\//, '$1/')}:${f.lineNumber + 1}`
    const fn = f.functionName === '' ? '(anonymous)' : f.functionName
    const key = `${fn}@${where}`
    const e = merged.get(key) ?? { fn, where, ms: 0, percent: 0 }
    e.ms += us / 1000
    merged.set(key, e)
  }
  const out = [...merged.values()].sort((a, b) => b.ms - a.ms).slice(0, n)
  for (const e of out) { e.percent = Math.round(e.ms / (total / 1000) * 1000) / 10; e.ms = Math.round(e.ms) }
  return out
}

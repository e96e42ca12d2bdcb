import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { NODE } from './lib/common.ts'
import { exec, timedRun, type TimedRun } from './lib/proc.ts'
import { topSelfTime, type SelfTime } from './lib/profile.ts'

const fmt = (n: number): string => n.toLocaleString('en-US')

/**
 * Which addresses palisade matched (`IP<TAB>line` on stdout) and fail2ban-regex did not (`-o ip`:
 * one address a line), and the reverse, with a few examples and a log line naming each.
 */
export async function compareIpSets (
  logPath: string,
  palOut: string,
  f2bOut: string,
  normalize: (ip: string) => string
): Promise<{ lines: string[]; summary: string }> {
  const palLines = palOut.split('\n').filter(l => l !== '')
  const pal = new Set(palLines.map(l => normalize(l.slice(0, l.indexOf('\t')))))
  const f2bLines = f2bOut
    .split('\n')
    .map(l => l.trim())
    .filter(l => l !== '')
  const f2b = new Set(f2bLines.map(normalize))
  const onlyPal = [...pal].filter(ip => !f2b.has(ip))
  const onlyF2b = [...f2b].filter(ip => !pal.has(ip))
  const examples = async (ips: string[]): Promise<string[]> => {
    const want = new Set(ips.slice(0, 3))
    const found = new Map<string, string>()
    const log = await readFile(logPath, 'utf8')
    for (const line of log.split('\n')) {
      for (const ip of want) {
        const bare = ip.endsWith('/64') ? ip.slice(0, -5) : ip
        if (found.has(ip)) continue
        const at = line.indexOf(bare)
        // whole address only: 203.0.113.9 must not pick a line naming 203.0.113.98
        if (at !== -1 && (bare !== ip || !/[\w.:]/.test(line[at + bare.length] ?? ' '))) found.set(ip, line)
      }
      if (found.size === want.size) break
    }
    return [...want].map(ip => `    ${ip}  e.g. ${found.get(ip) ?? '(no line)'}`)
  }
  const summary =
    `matched: palisade ${fmt(palLines.length)} lines / ${fmt(pal.size)} IPs, fail2ban-regex ${fmt(f2bLines.length)} lines / ${fmt(f2b.size)} IPs; ` +
    `${fmt(onlyPal.length)} IPs only palisade, ${fmt(onlyF2b.length)} only fail2ban (IPv6 compared as /64)`
  const lines = [summary]
  if (onlyPal.length > 0) lines.push('  only palisade:', ...(await examples(onlyPal)))
  if (onlyF2b.length > 0) lines.push('  only fail2ban:', ...(await examples(onlyF2b)))
  return { lines, summary }
}

/** One run under `node --cpu-prof`; the top self-time functions. */
export async function profileOnce (args: readonly string[], dir: string, n = 5): Promise<SelfTime[]> {
  const profDir = join(dir, 'prof')
  const r = await exec([NODE, '--cpu-prof', `--cpu-prof-dir=${profDir}`, ...args])
  if (r.code !== 0) throw new Error(`profiled run exited ${r.code}: ${r.stderr}`)
  const [file] = await readdir(profDir)
  return await topSelfTime(join(profDir, file), n)
}

export type CpuRun = Omit<TimedRun, 'stdoutPath'>

/**
 * Run argv under GNU time for its CPU seconds (user + sys) and peak RSS. On a machine shared with
 * other work the wall time measures the neighbours too; the CPU time a process spent is its own.
 */
export async function cpuRun (
  argv: readonly string[],
  opts: { stdoutPath?: string; env?: NodeJS.ProcessEnv } = {}
): Promise<CpuRun> {
  const { stdoutPath: _, ...r } = await timedRun(argv, opts)
  return r
}

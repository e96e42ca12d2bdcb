import { spawn } from 'node:child_process'
import { open, readFile, rm, mkdtemp } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run } from '../../test/helpers/netns.ts'

/** clock ticks per second for /proc/PID/stat times (USER_HZ; 100 on every Linux ABI Node runs on) */
const HZ = 100

/**
 * rss: VmRSS; hwm: VmHWM (peak RSS); anon: RssAnon, the process's own memory without the file pages
 * (about 50 MB of any Node process's RSS is the mapped `node` binary, shared with every other one).
 */
export interface ProcMemory { rssKiB: number, hwmKiB: number, anonKiB: number }

/** Memory of a live process, KiB */
export async function memoryOf (pid: number): Promise<ProcMemory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM'), anonKiB: field('RssAnon') }
}

/** CPU seconds used so far: the process itself plus its reaped children (nft, …) */
export async function cpuSecondsOf (pid: number): Promise<{ self: number, children: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  // the command name may contain spaces: fields start after the last ')'
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // f[0] is field 3 (state): utime = field 14, stime 15, cutime 16, cstime 17
  return { self: (Number(f[11]) + Number(f[12])) / HZ, children: (Number(f[13]) + Number(f[14])) / HZ }
}

/** Samples a process's CPU% (self + reaped children) and RSS every `everyMs` until stopped. */
export function sampleProcess (
  pid: number,
  everyMs = 1000
): { stop: () => Promise<{ cpuPercent: number[]; rssKiB: number[]; hwmKiB: number }> } {
  const cpuPercent: number[] = []
  const rssKiB: number[] = []
  let hwmKiB = 0
  let last: { t: number; cpu: number } | undefined
  const tick = async (): Promise<void> => {
    try {
      const c = await cpuSecondsOf(pid)
      const m = await memoryOf(pid)
      const t = performance.now()
      if (last !== undefined) cpuPercent.push(((c.self + c.children - last.cpu) / ((t - last.t) / 1000)) * 100)
      last = { t, cpu: c.self + c.children }
      rssKiB.push(m.rssKiB)
      hwmKiB = Math.max(hwmKiB, m.hwmKiB)
    } catch {}
  }
  void tick()
  const timer = setInterval(() => {
    void tick()
  }, everyMs)
  return {
    stop: async () => {
      clearInterval(timer)
      await tick()
      return { cpuPercent, rssKiB, hwmKiB }
    }
  }
}

export interface TimedRun {
  wallMs: number
  /** user + system CPU seconds of the process (its own, whatever else runs on the machine) */
  cpuS: number
  maxRssKiB: number
  code: number
  stdoutPath?: string
  stderr: string
}

/**
 * Run argv under GNU time (`/usr/bin/time -f '%U %S %M'`) for its CPU time and peak RSS; wall time is measured here
 * around the spawn. stdout goes to `stdoutPath` (or /dev/null), never through this process.
 */
export async function timedRun (
  argv: readonly string[],
  opts: { stdoutPath?: string; env?: NodeJS.ProcessEnv } = {}
): Promise<TimedRun> {
  if (!existsSync('/usr/bin/time')) throw new Error('/usr/bin/time missing (apt-get install time)')
  const dir = await mkdtemp(join(tmpdir(), 'palbench-time-'))
  const timeOut = join(dir, 'time')
  const out = await open(opts.stdoutPath ?? '/dev/null', 'w')
  try {
    const t0 = performance.now()
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve, reject) => {
      const child = spawn('/usr/bin/time', ['-f', '%U %S %M', '-o', timeOut, ...argv], {
        stdio: ['ignore', out.fd, 'pipe'],
        env: { ...process.env, ...opts.env }
      })
      let stderr = ''
      child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        if (stderr.length < 1 << 20) stderr += d
      })
      child.on('error', reject)
      child.on('close', c => resolve({ code: c ?? -1, stderr }))
    })
    const wallMs = performance.now() - t0
    const [user, sys, maxRssKiB] = (await readFile(timeOut, 'utf8')).trim().split('\n').pop()!.split(' ').map(Number)
    return { wallMs, cpuS: user + sys, maxRssKiB, code, stderr, stdoutPath: opts.stdoutPath }
  } finally {
    await out.close()
    await rm(dir, { recursive: true, force: true })
  }
}

/** Run argv to completion, collecting output (no shell): the tests' runner, with an environment. */
export function exec (
  argv: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string } = {}
): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(argv, opts.input, opts.env)
}

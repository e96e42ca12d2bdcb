/**
 * A burst of attackers: a real `palisade start` inside a throwaway network namespace (nftables
 * backend, no user actions) follows a file; 5,000 distinct addresses each write `retry` failures
 * at once. Measures first line written → last address in the kernel set (`nft monitor` inside the
 * namespace), as bans/s, and checks that every address is in the store (`palisade show --json`).
 *
 *   node bench/burst.ts [--runs 5] [--attackers 5000] [--retry 3] [--profile DIR]
 *
 * `--profile DIR` runs the daemon under `--cpu-prof` and prints its top self-time functions over
 * the burst alone (first line written → last kernel ban), startup and shutdown left out.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { appendFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNetns } from '../test/helpers/netns.ts'
import { BIN, NODE, ROOT, benchArgs, emitAll, emitNote, progress, sleep } from './lib/common.ts'
import { startBenchDaemon, writeSshConfig } from './lib/daemon.ts'
import { cpuSecondsOf, exec } from './lib/proc.ts'
import { result } from './lib/result.ts'
import { formatTable } from './lib/table.ts'
import { topSelfTime } from './lib/profile.ts'

const { runs, values } = benchArgs({
  attackers: { type: 'string', default: '5000' },
  retry: { type: 'string', default: '3' },
  profile: { type: 'string' }
})
const ATTACKERS = Number(values.attackers)
const RETRY = Number(values.retry)
const PROFILE = typeof values.profile === 'string' ? values.profile : undefined
const TABLE = 'palburst'
const CMD = `cd ${ROOT} && node bench/burst.ts --runs ${runs} --attackers ${ATTACKERS} --retry ${RETRY}`

/** public-looking addresses: they exist only inside the namespace, and no never-ban class holds them */
const address = (i: number): string => `81.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`

interface RunResult { seconds: number, kernel: number, stored: number, cpu: number, nftCpu: number }

async function oneRun (): Promise<RunResult> {
  const ns = await createNetns('bb')
  const dir = await mkdtemp(join(tmpdir(), 'palbench-burst-'))
  let monitor: ChildProcess | undefined
  let daemon: Awaited<ReturnType<typeof startBenchDaemon>> | undefined
  let window: { from: number, to: number } | undefined
  try {
    const log = join(dir, 'auth.log')
    const socket = join(dir, 'palisade.sock')
    await writeFile(log, '')
    const config = await writeSshConfig(dir, socket, log, { retry: RETRY, backend: `nftables, table: ${TABLE}` })
    const env = PROFILE === undefined ? undefined : { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${PROFILE}` }
    daemon = await startBenchDaemon(config, socket, { netns: ns.name, env })
    const seen = new Set<string>()
    let last = 0
    monitor = spawn('ip', ['netns', 'exec', ns.name, 'stdbuf', '-oL', 'nft', 'monitor', 'new', 'elements'], { stdio: ['ignore', 'pipe', 'inherit'] })
    let partial = ''
    monitor.stdout!.setEncoding('utf8').on('data', (d: string) => {
      const text = partial + d
      const cut = text.lastIndexOf('\n')
      partial = text.slice(cut + 1)
      for (const m of text.slice(0, cut + 1).matchAll(/\b(81(?:\.\d{1,3}){3})\b/g)) {
        if (!seen.has(m[1])) { seen.add(m[1]); last = performance.now() }
      }
    })
    await sleep(1000) // nft monitor subscribed, file source at EOF
    let chunk = ''
    for (let r = 0; r < RETRY; r++) {
      for (let i = 0; i < ATTACKERS; i++) chunk += `Nov 23 14:09:01 host sshd[${1000 + i}]: Failed password for invalid user admin from ${address(i)} port ${1024 + r} ssh2\n`
    }
    const c0 = await cpuSecondsOf(daemon.pid)
    const t0 = performance.now()
    const m0 = monotonicUs()
    await appendFile(log, chunk)
    const deadline = t0 + 60_000
    while (seen.size < ATTACKERS && performance.now() < deadline) await sleep(20)
    const seconds = ((seen.size < ATTACKERS ? performance.now() : last) - t0) / 1000
    window = { from: m0, to: m0 + seconds * 1e6 }
    const c1 = await cpuSecondsOf(daemon.pid)
    // the daemon and the nft runs it reaped: what the burst cost, whatever else the machine does
    const cpu = c1.self + c1.children - c0.self - c0.children
    const show = await exec(['ip', 'netns', 'exec', ns.name, NODE, BIN, '-s', socket, 'show', '--json'])
    const doc = JSON.parse(show.stdout) as { bans?: unknown[] } | unknown[]
    const stored = Array.isArray(doc) ? doc.length : (doc.bans?.length ?? 0)
    if (process.env.BURST_DEBUG !== undefined) {
      const ls = daemon.output().split('\n').filter(l => l.startsWith('{')).map(l => { try { return JSON.parse(l) } catch { return null } }).filter(Boolean)
      const bans = ls.filter((l: any) => l.msg === 'ban').map((l: any) => l.time)
      const byTime = new Map<number, number>(); for (const t of bans) byTime.set(t, (byTime.get(t) ?? 0) + 1)
      process.stderr.write(`t0 ${Date.now() - (performance.now() - t0)} bans ${bans.length} groups ${JSON.stringify([...byTime])} other ${JSON.stringify(ls.filter((l: any) => l.msg !== 'ban').slice(-8).map((l: any) => [l.time, l.msg]))}\n`)
    }
    return { seconds, kernel: seen.size, stored, cpu, nftCpu: c1.children - c0.children }
  } finally {
    monitor?.kill()
    if (daemon !== undefined) {
      const code = await daemon.stop()
      if (code !== 0) process.stderr.write(`daemon exit ${code}: ${daemon.output().slice(-2000)}\n`)
      if (PROFILE !== undefined && window !== undefined) await printProfile(PROFILE, daemon.pid, window)
    }
    await ns.remove()
    await rm(dir, { recursive: true, force: true })
  }
}

/** CLOCK_MONOTONIC in µs: the clock of V8's profile timestamps in any process */
function monotonicUs (): number {
  return Number(process.hrtime.bigint() / 1000n)
}

async function printProfile (dir: string, pid: number, window: { from: number, to: number }): Promise<void> {
  const file = (await readdir(dir)).find(f => f.includes(`.${pid}.`) && f.endsWith('.cpuprofile'))
  if (file === undefined) { progress(`no profile of pid ${pid} in ${dir}`); return }
  progress(`daemon ${pid}, burst only (µs ${window.from}–${Math.round(window.to)}): top self time (${join(dir, file)})`)
  for (const t of await topSelfTime(join(dir, file), 25, window)) {
    progress(`  ${t.percent.toFixed(1).padStart(5)} % ${String(t.ms).padStart(6)} ms  ${t.fn}  ${t.where}`)
  }
}

const all: RunResult[] = []
for (let i = 0; i < runs; i++) {
  const r = await oneRun()
  progress(`run ${i + 1}: ${r.kernel}/${ATTACKERS} in the kernel after ${r.seconds.toFixed(2)} s (${Math.round(r.kernel / r.seconds)} bans/s), ${r.stored} in the store, ` +
    `${r.cpu.toFixed(2)} CPU s (daemon + nft; nft ${r.nftCpu.toFixed(2)})`)
  all.push(r)
}
const results = [
  result('burst', `burst of ${ATTACKERS.toLocaleString('en-US')} attackers (retry ${RETRY}): first line → last kernel ban`, 'bans/s',
    all.map(r => r.kernel / r.seconds), { target: '>=5000', cmd: CMD }),
  result('burst', 'the same burst per CPU second of the daemon and its nft runs (independent of other load)', 'bans/s',
    all.map(r => r.kernel / r.cpu), { cmd: CMD })
]
const short = all.filter(r => r.kernel < ATTACKERS || r.stored < ATTACKERS)
const note = `burst: ${ATTACKERS * RETRY} lines appended at once (load average ${loadavg()[0].toFixed(1)} at the end); ` + (short.length === 0
  ? `every run banned all ${ATTACKERS} in the kernel and the store`
  : `${short.length} run(s) fell short: ${short.map(r => `${r.kernel} in the kernel, ${r.stored} stored`).join('; ')}`)
console.log(`\nburst of ${ATTACKERS} attackers (nftables in a netns)`)
console.log(formatTable(results))
console.log(note)
emitNote('burst', note)
emitAll(results)
if (short.length > 0) process.exitCode = 1

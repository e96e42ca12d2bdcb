/**
 * Daemon hot path: a real `palisade start` inside a throwaway network namespace (nftables backend),
 * following a file that a writer appends to at a fixed 50,000 lines/s for ~10 s: mostly benign
 * lines, one-off failures from distinct addresses, and every 100 ms an attacker whose third failure
 * reaches `retry: 3`. Measures the time from the write of that third line to the address appearing
 * in the kernel set (`nft monitor` inside the namespace), the daemon's CPU% (utime+stime of itself
 * and its reaped children, from /proc) and its RSS.
 *
 *   node bench/daemon.ts [--runs 5] [--seconds 10] [--rate 50000]
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync, writeSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNetns } from '../test/helpers/netns.ts'
import { ROOT, benchArgs, emitAll, emitNote, progress, sleep } from './lib/common.ts'
import { startBenchDaemon, writeSshConfig } from './lib/daemon.ts'
import { sampleProcess } from './lib/proc.ts'
import { result } from './lib/result.ts'
import { percentile, summarize } from './lib/stats.ts'
import { formatTable } from './lib/table.ts'

const { runs, values } = benchArgs({ seconds: { type: 'string', default: '10' }, rate: { type: 'string', default: '50000' } })
const SECONDS = Number(values.seconds)
const RATE = Number(values.rate)
const TICK_MS = 10
const TABLE = 'palbenchd'
const CMD = `cd ${ROOT} && node bench/daemon.ts --runs ${runs} --seconds ${SECONDS} --rate ${RATE}`

const ATTACKERS = [...Array.from({ length: 254 }, (_, i) => `198.51.100.${i + 1}`), ...Array.from({ length: 254 }, (_, i) => `203.0.113.${i + 1}`)]
const STAFF = ['alice', 'bob', 'carol']

function benign (i: number): string {
  const ip = `81.${i % 200}.${(i >> 8) & 255}.${1 + (i % 250)}`
  switch (i % 4) {
    case 0: return `Accepted publickey for ${STAFF[i % 3]} from ${ip} port ${1024 + i % 60000} ssh2: ED25519 SHA256:Zm9vYmFyYmF6cXV4cXV1eGZvb2JhcmJhenF1eHF1dXg`
    case 1: return `pam_unix(sshd:session): session opened for user ${STAFF[i % 3]}(uid=1000) by (uid=0)`
    case 2: return `pam_unix(sshd:session): session closed for user ${STAFF[i % 3]}`
    default: return `Received disconnect from ${ip} port ${1024 + i % 60000}:11: disconnected by user`
  }
}
const failure = (ip: string, i: number): string => `Failed password for invalid user admin from ${ip} port ${1024 + i % 60000} ssh2`
const line = (i: number, text: string): string => `Nov 23 14:09:01 host sshd[${1000 + i % 60000}]: ${text}\n`

interface RunResult {
  latencies: number[]
  missing: number
  cpu: number[]
  rssMiB: number
  hwmMiB: number
  linesPerSec: number
}

async function oneRun (): Promise<RunResult> {
  const ns = await createNetns('bd')
  const dir = await mkdtemp(join(tmpdir(), 'palbench-daemon-'))
  let monitor: ChildProcess | undefined
  let daemon: Awaited<ReturnType<typeof startBenchDaemon>> | undefined
  try {
    const log = join(dir, 'auth.log')
    const socket = join(dir, 'palisade.sock')
    await writeFile(log, '')
    const config = await writeSshConfig(dir, socket, log, { retry: 3, backend: `nftables, table: ${TABLE}` })
    daemon = await startBenchDaemon(config, socket, { netns: ns.name })
    const pending = new Map<string, number>()
    const latencies: number[] = []
    monitor = spawn('ip', ['netns', 'exec', ns.name, 'stdbuf', '-oL', 'nft', 'monitor', 'new', 'elements'], { stdio: ['ignore', 'pipe', 'inherit'] })
    monitor.stdout!.setEncoding('utf8').on('data', (d: string) => {
      const now = performance.now()
      for (const m of d.matchAll(/\b(\d{1,3}(?:\.\d{1,3}){3})\b/g)) {
        const t = pending.get(m[1])
        if (t !== undefined) { latencies.push(now - t); pending.delete(m[1]) }
      }
    })
    await sleep(500) // nft monitor subscribed, file source at EOF

    const attackers = Math.min(ATTACKERS.length, Math.floor((SECONDS * 1000 - 200) / 100))
    const perTick = RATE * TICK_MS / 1000
    const fd = openSync(log, 'a')
    const sampler = sampleProcess(daemon.pid, 500)
    let written = 0
    let single = 0
    const t0 = performance.now()
    for (let tick = 0; tick < SECONDS * 1000 / TICK_MS; tick++) {
      let chunk = ''
      const due: string[] = []
      for (let k = 0; k < perTick; k++) {
        const i = written + k
        // 1 % one-off failures from distinct /64s: counted, never banned
        chunk += line(i, i % 100 === 7 ? failure(`2001:db8:${(single++ >> 16).toString(16)}:${(single & 0xffff).toString(16)}::1`, i) : benign(i))
      }
      // attacker a fails at ticks 10a, 10a+2, 10a+4: the third line reaches retry
      const a = Math.floor(tick / 10)
      if (a < attackers && tick % 10 <= 4 && tick % 2 === 0) {
        chunk += line(tick, failure(ATTACKERS[a], tick))
        if (tick % 10 === 4) due.push(ATTACKERS[a])
      }
      writeSync(fd, chunk)
      const wroteAt = performance.now()
      for (const ip of due) pending.set(ip, wroteAt)
      written += perTick
      const next = t0 + (tick + 1) * TICK_MS
      const wait = next - performance.now()
      if (wait > 0) await sleep(wait)
    }
    const elapsed = (performance.now() - t0) / 1000
    closeSync(fd)
    const deadline = performance.now() + 10_000
    while (pending.size > 0 && performance.now() < deadline) await sleep(20)
    const s = await sampler.stop()
    return {
      latencies, missing: pending.size, cpu: s.cpuPercent, linesPerSec: written / elapsed,
      rssMiB: Math.max(...s.rssKiB) / 1024, hwmMiB: s.hwmKiB / 1024
    }
  } finally {
    monitor?.kill()
    if (daemon !== undefined) {
      const code = await daemon.stop()
      if (code !== 0) process.stderr.write(`daemon exit ${code}: ${daemon.output().slice(-2000)}\n`)
    }
    await ns.remove()
    await rm(dir, { recursive: true, force: true })
  }
}

const all: RunResult[] = []
for (let i = 0; i < runs; i++) {
  const r = await oneRun()
  const sorted = [...r.latencies].sort((a, b) => a - b)
  progress(`run ${i + 1}: ${r.latencies.length} bans (${r.missing} missing), p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p99 ${percentile(sorted, 0.99).toFixed(1)} ms, ` +
    `CPU ${summarize(r.cpu).median.toFixed(0)} %, RSS ${r.rssMiB.toFixed(0)} MB, ${Math.round(r.linesPerSec)} lines/s written`)
  all.push(r)
}
const perRun = (f: (r: RunResult) => number): number[] => all.map(f)
const sortedOf = (r: RunResult): number[] => [...r.latencies].sort((a, b) => a - b)
const results = [
  result(
    'daemon',
    'ban latency p50 (line written → in nft set)',
    'ms',
    perRun(r => percentile(sortedOf(r), 0.5)),
    { cmd: CMD }
  ),
  result(
    'daemon',
    'ban latency p99 (line written → in nft set)',
    'ms',
    perRun(r => percentile(sortedOf(r), 0.99)),
    { target: '<50', cmd: CMD }
  ),
  result(
    'daemon',
    `CPU at ${RATE.toLocaleString('en-US')} lines/s`,
    '%',
    perRun(r => summarize(r.cpu).median),
    { cmd: CMD }
  ),
  result(
    'daemon',
    `peak RSS at ${RATE.toLocaleString('en-US')} lines/s`,
    'MB',
    perRun(r => r.hwmMiB),
    { cmd: CMD }
  ),
  result(
    'daemon',
    'writer rate achieved',
    'lines/s',
    perRun(r => r.linesPerSec),
    { cmd: CMD }
  )
]
const pooled = all.flatMap(r => r.latencies).sort((a, b) => a - b)
const missing = all.reduce((s, r) => s + r.missing, 0)
const note = `daemon: ${pooled.length} bans over ${runs} runs, pooled p50 ${percentile(pooled, 0.5).toFixed(1)} ms, p99 ${percentile(pooled, 0.99).toFixed(1)} ms, max ${pooled[pooled.length - 1]?.toFixed(1)} ms` +
  (missing > 0 ? `; ${missing} expected bans never reached the kernel set within 10 s` : '')
console.log(`\ndaemon hot path (${SECONDS} s at ${RATE} lines/s, nftables in a netns)`)
console.log(formatTable(results))
console.log(note)
emitNote('daemon', note)
emitAll(results)
if (missing > 0) process.exitCode = 1

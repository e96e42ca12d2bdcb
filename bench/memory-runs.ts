import { closeSync, openSync, writeSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadIdentity } from '../src/federation/index.ts'
import { BIN, NODE, sleep } from './lib/common.ts'
import { freePort, metricValue, startBenchDaemon, writeSshConfig, type BenchDaemon } from './lib/daemon.ts'
import { cpuSecondsOf, exec, memoryOf } from './lib/proc.ts'

/** a temp dir with an empty log file and a socket path, removed afterwards */
export async function withDaemonDir<T> (
  tag: string,
  fn: (dir: string, socket: string, log: string) => Promise<T>
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `palbench-${tag}-`))
  try {
    const log = join(dir, 'auth.log')
    await writeFile(log, '')
    return await fn(dir, join(dir, 'palisade.sock'), log)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * n daemons on 127.0.0.1, every one bootstrapping to and trusting all the others; RSS of each once
 * settled, and the fewest members any node sees connected. `bin`/`env`: what runs them (the
 * shipped build with the unit's flags, by default the sources).
 */
export async function federatedRss (
  n: number,
  opts: { bin?: string; env?: NodeJS.ProcessEnv; settleMs?: number } = {}
): Promise<{ rssMiB: number[]; anonMiB: number[]; connected: number[] }> {
  const bin = opts.bin ?? BIN
  const base = await mkdtemp(join(tmpdir(), 'palbench-fed-'))
  const daemons: BenchDaemon[] = []
  try {
    const nodes = []
    for (let i = 0; i < n; i++) {
      const dir = join(base, `n${i}`)
      const id = await loadIdentity(join(dir, 'state'))
      nodes.push({
        dir,
        id: id.id,
        port: await freePort(),
        socket: join(dir, 'palisade.sock'),
        log: join(dir, 'auth.log')
      })
    }
    for (const [i, node] of nodes.entries()) {
      const others = nodes.filter((_, j) => j !== i)
      await writeFile(node.log, '')
      await writeFile(
        join(node.dir, 'palisade.yml'),
        `
state: ${join(node.dir, 'state')}
socket: ${node.socket}
patterns: {ip: {type: ip}}
streams:
  ssh:
    file: ${node.log}
    filters:
      failedlogin: {regex: ['Failed password for .* from <ip> port \\d+'], retry: 3, retryperiod: 6h, ban: 48h}
firewall: {backend: none}
federation:
  collective: palbench
  listen: [/ip4/127.0.0.1/tcp/${node.port}]
  bootstrap: [${others.map(o => `/ip4/127.0.0.1/tcp/${o.port}/p2p/${o.id}`).join(', ')}]
trust:
  peers: [${others.map((o, j) => `{key: ${o.id}, name: n${j}, weight: 1}`).join(', ')}]
`
      )
    }
    // in waves: twenty start-ups at once on two loaded cores ran past the readiness timeout; a
    // node dials every bootstrap address as it starts, so each pair connects once the later is up
    for (let i = 0; i < nodes.length; i += 4) {
      const wave = await Promise.allSettled(nodes.slice(i, i + 4).map(async node =>
        await startBenchDaemon(join(node.dir, 'palisade.yml'), node.socket, { timeoutMs: 120_000, bin, env: opts.env })))
      // the ones that did start are stopped in `finally` even when another of their wave failed
      for (const w of wave) if (w.status === 'fulfilled') daemons.push(w.value)
      const failed = wave.find(w => w.status === 'rejected')
      if (failed !== undefined) throw failed.reason
    }
    await sleep(opts.settleMs ?? 15_000)
    const mem = await Promise.all(daemons.map(async d => await memoryOf(d.pid)))
    const rssMiB = mem.map(m => m.rssKiB / 1024)
    const anonMiB = mem.map(m => m.anonKiB / 1024)
    const connected: number[] = []
    for (const node of nodes) {
      const list = await exec([NODE, bin, '-s', node.socket, 'peer', 'list', '--json'])
      try {
        const peers = JSON.parse(list.stdout) as unknown
        const arr = Array.isArray(peers) ? peers : ((peers as { peers?: unknown[] }).peers ?? [])
        connected.push(arr.filter(p => (p as { connected?: boolean }).connected === true).length)
      } catch {
        connected.push(-1)
      }
    }
    return { rssMiB, anonMiB, connected }
  } finally {
    await Promise.all(daemons.map(async d => await d.stop()))
    await rm(base, { recursive: true, force: true, maxRetries: 3 })
  }
}

export interface TrackedRun {
  lines: number
  seconds: number
  /** the daemon's own CPU (utime + stime) from the first line written to the last one counted */
  cpuSeconds: number
  rssMiB: number
  hwmMiB: number
  anonMiB: number
  evicted: number
  /** the daemon's V8 heap after the run (prom-client's process metrics) */
  heap: { usedMiB: number, totalMiB: number, externalMiB: number }
}

/**
 * One daemon fed `ips` failures from distinct addresses, retry high so nothing bans. With
 * `profileDir` the daemon runs under `--cpu-prof` and writes its profile there on exit.
 */
export async function trackedRun (
  ips: number,
  run: number,
  opts: { profileDir?: string, bin?: string, nodeOptions?: string, env?: NodeJS.ProcessEnv } = {}
): Promise<TrackedRun> {
  const { profileDir } = opts
  return await withDaemonDir(`tracked${run}`, async (dir, socket, log) => {
    const port = await freePort()
    const config = await writeSshConfig(dir, socket, log, {
      retry: 1000,
      backend: 'none',
      extra: `feed: {listen: 127.0.0.1:${port}}`
    })
    const prof = profileDir === undefined ? '' : ` --cpu-prof --cpu-prof-dir=${profileDir}`
    const env = { ...opts.env, NODE_OPTIONS: `${opts.nodeOptions ?? ''}${prof}`.trim() }
    const d = await startBenchDaemon(config, socket, { env, bin: opts.bin })
    try {
      const metrics = async (): Promise<string> => await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
      // the socket answers before the file stream has opened the log at its end (tail -n0): lines
      // written in between would be skipped, as on a real first start
      await sleep(500)
      const fd = openSync(log, 'a')
      const cpu0 = await cpuSecondsOf(d.pid)
      const t0 = performance.now()
      // 11.0.0.0/8 onwards: public, never in a never-ban class, one distinct address a line
      for (let i = 0; i < ips;) {
        let chunk = ''
        for (const end = Math.min(ips, i + 10_000); i < end; i++) {
          const n = 0x0b000000 + i
          chunk += `Nov 23 14:09:01 host sshd[${1000 + (i % 60000)}]: Failed password for root from ${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255} port ${1024 + (i % 60000)} ssh2\n`
        }
        writeSync(fd, chunk)
      }
      closeSync(fd)
      let lines = 0
      let seconds = NaN
      const deadline = performance.now() + 180_000
      // each scrape costs the daemon ~5 ms of CPU: poll slowly, and take the end from the stream's
      // idle gauge (seconds since it last read a line) rather than from when the poll saw it
      while (performance.now() < deadline) {
        const at = performance.now()
        const text = await metrics()
        lines = metricValue(text, 'palisade_detect_lines_total')
        if (lines >= ips) {
          const idle = metricValue(text, 'palisade_detect_stream_idle_seconds')
          seconds = (at - t0) / 1000 - (Number.isFinite(idle) ? idle : 0)
          break
        }
        await sleep(500)
      }
      const cpu1 = await cpuSecondsOf(d.pid)
      if (!(lines >= ips)) throw new Error(`daemon read ${lines} of ${ips} lines in 180 s`)
      await sleep(1000)
      const m = await memoryOf(d.pid)
      const text = await metrics()
      const evicted = metricValue(text, 'palisade_detect_counters_evicted_total')
      const mib = (name: string): number => metricValue(text, name) / 1048576
      const heap = { usedMiB: mib('nodejs_heap_size_used_bytes'), totalMiB: mib('nodejs_heap_size_total_bytes'), externalMiB: mib('nodejs_external_memory_bytes') }
      const cpuSeconds = cpu1.self - cpu0.self
      const mem = { rssMiB: m.rssKiB / 1024, hwmMiB: m.hwmKiB / 1024, anonMiB: m.anonKiB / 1024 }
      return { lines, seconds, cpuSeconds, ...mem, evicted, heap }
    } finally {
      await d.stop()
    }
  })
}

/**
 * Memory: RSS of a real `palisade start`
 *   idle       — one stream on an idle file, backend none, 10 s after start (target ≤ 70 MB, ≤ 25 MB private);
 *   federated  — 20 daemons on 127.0.0.1, all trusting each other, RSS of each (target ≤ 110 MB);
 *   1M IPs     — 1,000,000 failures from distinct addresses with retry high (nothing bans):
 *                RSS stays bounded by limits.maxTrackedKeys (default 100,000), evictions from /metrics.
 *
 *   node bench/memory.ts [--runs 5] [--only idle|federated|tracked] [--peers 20] [--ips 1000000] [--profile DIR]
 *
 * The 1M-IP feed runs the shipped build (dist/, as the systemd unit starts it) and the TypeScript
 * sources. Ingest is reported twice: lines/s on the wall clock (first line written to the last one
 * counted) and lines per CPU-second of the daemon alone, which a loaded machine does not distort.
 * `--profile DIR` runs the tracked daemons under `node --cpu-prof` and prints their top self-time
 * functions; `--dist-bin PATH` measures another compiled tree instead of dist/.
 */
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BIN, DIST_BIN, ROOT, benchArgs, emitAll, emitNote, progress, sleep } from './lib/common.ts'
import { memoryOf } from './lib/proc.ts'
import { topSelfTime } from './lib/profile.ts'
import { result, skipped, type BenchResult } from './lib/result.ts'
import { formatTable } from './lib/table.ts'
import { federatedRss, trackedRun, withDaemonDir } from './memory-runs.ts'
import { startBenchDaemon, writeSshConfig } from './lib/daemon.ts'

const { runs, values } = benchArgs({
  only: { type: 'string' },
  peers: { type: 'string', default: '20' },
  ips: { type: 'string', default: '1000000' },
  'idle-seconds': { type: 'string', default: '10' },
  // until counters evict in O(1) one run of 1M addresses can take a minute: stop repeating past this
  'tracked-budget': { type: 'string', default: '150' },
  profile: { type: 'string' },
  // another compiled tree's entry point for the 1M-IP feed (default dist/bin/palisade.js)
  'dist-bin': { type: 'string' }
})
const profileDir = values.profile as string | undefined
const only = values.only as string | undefined
const PEERS = Number(values.peers)
const IPS = Number(values.ips)
const IDLE_S = Number(values['idle-seconds'])
const cmd = (part: string, extra = ''): string => `cd ${ROOT} && node bench/memory.ts --only ${part} --runs ${runs}${extra}`
const results: BenchResult[] = []
/** the malloc settings of packaging/palisade.service and docker/Dockerfile */
const UNIT_MALLOC = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' }

if (only === undefined || only === 'idle') {
  // the shipped build (dist/, compiled by npm's `prepare`) and the TypeScript sources, in the same run
  const entries: Array<[string, string, string | undefined]> = [['compiled JavaScript (dist/, as shipped)', DIST_BIN, '<=70'], ['TypeScript sources (bin/palisade.ts)', BIN, undefined]]
  for (const [label, bin, target] of entries) {
    if (!existsSync(bin)) { results.push(skipped('memory', `idle RSS, standalone, ${label}`, 'MB', `${bin} is missing: run npm run build`, cmd('idle'), target)); continue }
    // the runs are independent daemons: start them together, measure each IDLE_S after its start
    const mem = await Promise.all(Array.from({ length: runs }, async (_, i) => await withDaemonDir(`idle${i}`, async (dir, socket, log) => {
      const config = await writeSshConfig(dir, socket, log, { retry: 3, backend: 'none' })
      // as the systemd unit and `npm start` run it (packaging/palisade.service)
      const d = await startBenchDaemon(config, socket, { bin, env: { ...UNIT_MALLOC, NODE_OPTIONS: bin === DIST_BIN ? '--max-semi-space-size=1' : '' } })
      try {
        await sleep(IDLE_S * 1000)
        return await memoryOf(d.pid)
      } finally { await d.stop() }
    })))
    const rss = mem.map(m => m.rssKiB / 1024)
    progress(`idle RSS, ${label}: ${rss.map(r => r.toFixed(1)).join(', ')} MB`)
    results.push(result('memory', `idle RSS, standalone, ${label}, ${IDLE_S} s after start`, 'MB', rss, { target, cmd: cmd('idle') }))
    results.push(result('memory', `idle private memory (RssAnon), ${label}`, 'MB', mem.map(m => m.anonKiB / 1024), { target: target === undefined ? undefined : '<=25', cmd: cmd('idle') }))
  }
}

if (only === undefined || only === 'federated') {
  const fedIndex = join(ROOT, 'src/federation/index.ts')
  const exportsIt = existsSync(fedIndex) && /export function createFederation\b/.test(await readFile(fedIndex, 'utf8'))
  if (!exportsIt) {
    results.push(skipped('memory', `RSS, federated with ${PEERS} peers`, 'MB', 'src/federation/index.ts does not export createFederation', cmd('federated'), '<=110'))
  } else {
    try {
      // the shipped build as the unit runs it (packaging/palisade.service), like the idle figure
      const shipped = existsSync(DIST_BIN)
      const r = await federatedRss(PEERS, shipped ? { bin: DIST_BIN, env: { ...UNIT_MALLOC, NODE_OPTIONS: '--max-semi-space-size=1' } } : {})
      const fewest = Math.min(...r.connected)
      progress(`federated RSS (${PEERS} nodes): ${r.rssMiB.map(x => x.toFixed(0)).join(', ')} MB; members connected per node: ${r.connected.join(', ')}`)
      const what = shipped ? 'dist/' : 'the TypeScript sources (dist/ is missing)'
      results.push(result('memory', `RSS per node, federated with ${PEERS} peers (${what})`, 'MB', r.rssMiB, {
        target: '<=110', cmd: cmd('federated', ` --peers ${PEERS}`), note: `one collective of ${PEERS} daemons; each node is one sample`
      }))
      results.push(result('memory', `private memory per node (RssAnon), federated with ${PEERS} peers`, 'MB', r.anonMiB, { cmd: cmd('federated', ` --peers ${PEERS}`) }))
      emitNote('memory', `federated: ${PEERS} daemons of ${what} on 127.0.0.1, each trusting the ${PEERS - 1} others; every node saw at least ${fewest} members connected; RSS per node is one sample (runs = nodes)`)
    } catch (err) {
      results.push(skipped('memory', `RSS per node, federated with ${PEERS} peers`, 'MB', `palisade start with federation failed: ${(err as Error).message.split('\n')[0]}`, cmd('federated'), '<=110'))
    }
  }
}

if (only === undefined || only === 'tracked') {
  // as shipped (dist/, the unit's flags and MALLOC_ARENA_MAX) and from the TypeScript sources, in the same run
  const shipped = { MALLOC_ARENA_MAX: '2' }
  const distBin = (values['dist-bin'] as string | undefined) ?? DIST_BIN
  const entries: Array<[string, string, string, NodeJS.ProcessEnv, boolean]> = [
    ['compiled JavaScript (dist/, as shipped)', distBin, '--max-semi-space-size=1', shipped, true],
    ['TypeScript sources (bin/palisade.ts)', BIN, '', shipped, false]
  ]
  const c = cmd('tracked', ` --ips ${IPS}`)
  const ips = IPS.toLocaleString('en-US')
  for (const [label, bin, nodeOptions, env, targeted] of entries) {
    if (!existsSync(bin)) {
      results.push(skipped('memory', `peak RSS during ${ips} distinct IPs, ${label}`, 'MB', `${bin} is missing: run npm run build`, c, '<=200'))
      continue
    }
    const samples: Array<Awaited<ReturnType<typeof trackedRun>>> = []
    const budgetMs = Number(values['tracked-budget']) * 1000
    const started = performance.now()
    for (let i = 0; i < runs; i++) {
      const before = performance.now()
      if (i > 0 && (before - started) + (before - started) / i > budgetMs) {
        emitNote('memory', `1M-IP feed, ${label}: ${i} run(s) instead of ${runs}, each took ${((before - started) / i / 1000).toFixed(0)} s (over the ${budgetMs / 1000} s budget of --tracked-budget)`)
        break
      }
      const dir = profileDir === undefined ? undefined : join(profileDir, `tracked-${targeted ? 'dist' : 'ts'}${i}`)
      const r = await trackedRun(IPS, i, { profileDir: dir, bin, nodeOptions, env })
      progress(`tracked run ${i + 1}, ${label}: ${r.lines} lines in ${r.seconds.toFixed(1)} s (${r.cpuSeconds.toFixed(2)} s CPU), RSS ${r.rssMiB.toFixed(0)} MB (peak ${r.hwmMiB.toFixed(0)} MB, private ${r.anonMiB.toFixed(0)} MB; heap ${r.heap.usedMiB.toFixed(0)} of ${r.heap.totalMiB.toFixed(0)} MB, external ${r.heap.externalMiB.toFixed(0)} MB), ${r.evicted} evicted`)
      samples.push(r)
      if (dir !== undefined) {
        const file = (await readdir(dir)).find(f => f.endsWith('.cpuprofile'))
        if (file !== undefined) {
          for (const t of await topSelfTime(join(dir, file), 25)) progress(`  ${t.percent.toFixed(1).padStart(5)} % ${String(t.ms).padStart(6)} ms  ${t.fn}  ${t.where}`)
        }
      }
    }
    const target = (t: string): string | undefined => targeted ? t : undefined
    results.push(result('memory', `RSS after ${ips} distinct IPs (maxTrackedKeys 100,000), ${label}`, 'MB', samples.map(s => s.rssMiB), { target: target('<=200'), cmd: c }))
    results.push(result('memory', `peak RSS during ${ips} distinct IPs, ${label}`, 'MB', samples.map(s => s.hwmMiB), { target: target('<=200'), cmd: c }))
    results.push(result('memory', `counters evicted (from /metrics), ${label}`, 'keys', samples.map(s => s.evicted), { cmd: c }))
    results.push(result('memory', `daemon ingest of ${ips} failure lines, ${label}`, 'lines/s', samples.map(s => s.lines / s.seconds), { target: target('>=500000'), cmd: c }))
    results.push(result('memory', `daemon ingest per CPU-second of the daemon (utime + stime), ${label}`, 'lines/s', samples.map(s => s.lines / s.cpuSeconds), { cmd: c }))
    results.push(result('memory', `daemon CPU for ${ips} failure lines, ${label}`, 's', samples.map(s => s.cpuSeconds), { cmd: c }))
  }
}

console.log('\nmemory')
console.log(formatTable(results))
emitAll(results)

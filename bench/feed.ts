/**
 * Feed benchmark: a real feed server on 127.0.0.1 with 100,000 bans (addresses of 198.18.0.0/15
 * and beyond, prefixes and addresses inside them: the nft format aggregates them). Per format,
 * the time from request to the last byte:
 *   - first: the first request after a ban generation changed (render, hash, send; target < 200 ms);
 *   - first gzip: the first gzip request of a generation (render + one gzip, kept for the others);
 *   - cached: a later request of the same generation (target < 200 ms; in practice a few ms).
 * The client runs in the same process, so each first request is also measured in CPU time
 * (process.cpuUsage: render, hash, send and receive), which a loaded machine inflates far less
 * than wall time.
 *
 * `--shuffle` hands the bans over in a shuffled (seeded) order, as the engine does: it lists them in
 * the order they were made, not by address.
 *
 *   cd /work/main && node bench/feed.ts [--runs 5] [--bans 100000] [--shuffle]
 */
import { request } from 'node:http'
import type { Ban } from '../src/common/model.ts'
import { silentLogger } from '../src/common/logger.ts'
import type { FeedCache } from '../src/control/feed.ts'
import { FeedServer } from '../src/control/http-server.ts'
import { benchArgs, emitAll, progress } from './lib/common.ts'
import { result, type BenchResult } from './lib/result.ts'

const { runs, values } = benchArgs({ bans: { type: 'string', default: '100000' }, shuffle: { type: 'boolean', default: false } })
const N = Number(values.bans)
const cmd = `cd /work/main && node bench/feed.ts --runs ${runs} --bans ${N}${values.shuffle === true ? ' --shuffle' : ''}`

function addr (i: number): string {
  const n = (198 << 24 | 18 << 16) + i
  return `${n >>> 24 & 255}.${n >>> 16 & 255}.${n >>> 8 & 255}.${n & 255}`
}
const now = Date.now()
const bans: Ban[] = Array.from({ length: N }, (_, i) => {
  // every 50th a /24 of 11.0.0.0/8, every 500th an address inside one of them (aggregated away)
  const j = Math.floor(i / 50)
  const ip = i % 500 === 499 ? `11.${j >> 8 & 255}.${j & 255}.7` : i % 50 === 49 ? `11.${j >> 8 & 255}.${j & 255}.0/24` : addr(i)
  return { key: ip, ip, values: { ip }, filter: 'ssh.fail', origin: 'detect', since: now - i, until: now + 3_600_000 + i * 1000, level: 0, reporters: ['self'], firewall: true }
})

if (values.shuffle === true) {
  let seed = 7
  for (let i = bans.length - 1; i > 0; i--) {
    seed = (seed * 1_664_525 + 1_013_904_223) >>> 0
    const j = seed % (i + 1);
    [bans[i], bans[j]] = [bans[j], bans[i]]
  }
}

let sink: FeedCache | undefined
const feed = new FeedServer({ listen: '127.0.0.1:0', bans: () => bans, now: () => Date.now(), subscribe: s => { sink = s }, logger: silentLogger() })
await feed.start()

function get (path: string, gzip: boolean): Promise<{ ms: number, cpuMs: number, bytes: number }> {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: feed.port, path, agent: false, headers: gzip ? { 'accept-encoding': 'gzip' } : {} }, res => {
      let bytes = 0
      res.on('data', (c: Buffer) => { bytes += c.length }).on('end', () => {
        const c = process.cpuUsage(c0)
        resolve({ ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, bytes })
      })
    }).on('error', reject).end()
  })
}

const out: BenchResult[] = []
for (const path of ['/blocklist.txt', '/blocklist.json', '/blocklist.nft']) {
  const first: number[] = []
  const firstCpu: number[] = []
  const firstGz: number[] = []
  const cached: number[] = []
  const cachedCpu: number[] = []
  let size = 0
  let gzSize = 0
  for (let r = 0; r < runs; r++) {
    sink!.apply()
    const a = await get(path, false)
    first.push(a.ms)
    firstCpu.push(a.cpuMs)
    size = a.bytes
    for (let i = 0; i < 5; i++) {
      const c = await get(path, false)
      cached.push(c.ms)
      cachedCpu.push(c.cpuMs)
    }
    sink!.apply()
    const g = await get(path, true)
    firstGz.push(g.ms)
    gzSize = g.bytes
  }
  progress(`${path}: ${(size / 1e6).toFixed(1)} MB, gzip ${(gzSize / 1e6).toFixed(2)} MB`)
  const order = values.shuffle === true ? ', shuffled' : ''
  const note = `${N.toLocaleString('en-US')} bans${order}, ${(size / 1e6).toFixed(1)} MB (${(gzSize / 1e6).toFixed(2)} MB gzip)`
  out.push(result('feed', `${path} first request after a change`, 'ms', first, { target: '<200', cmd, note }))
  out.push(result('feed', `${path} first request after a change, CPU`, 'ms', firstCpu, { cmd, note }))
  out.push(result('feed', `${path} first gzip request after a change`, 'ms', firstGz, { cmd, note }))
  out.push(result('feed', `${path} cached request`, 'ms', cached, { target: '<200', cmd, note }))
  // sending and receiving alone: the first request's CPU less this is the render's
  out.push(result('feed', `${path} cached request, CPU`, 'ms', cachedCpu, { cmd, note }))
}
await feed.stop()
emitAll(out)
for (const r of out) console.log(`${r.metric.padEnd(50)} median ${r.median} ms (min ${r.min}, max ${r.max})${r.target === null ? '' : ` target ${r.target}: ${r.met === true ? 'met' : 'MISSED'}`}`)

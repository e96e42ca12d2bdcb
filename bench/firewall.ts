/**
 * Firewall benchmark (root; runs inside a throwaway network namespace, never on the host ruleset):
 *   1. start() with 100,000 restored bans — one `nft -f -` transaction (target < 1 s);
 *   2. 10,000 bans arriving within one second as separate ban() calls into a set that already
 *      holds 100,000 — achieved bans/s and each ban promise's latency p50/p99; then 10,000 more
 *      issued in one tick (capacity).
 * Prints one JSON line, then a human table.
 *
 *   cd /work/main && node bench/firewall.ts [--backend nftables|iptables] [--restore 100000] [--burst 10000]
 */
import { parseArgs } from 'node:util'
import { systemClock } from '../src/common/clock.ts'
import { silentLogger } from '../src/common/logger.ts'
import { createFirewall, type FirewallBan } from '../src/firewall/index.ts'
import { createNetns } from '../test/helpers/netns.ts'

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'nftables' },
    restore: { type: 'string', default: '100000' },
    burst: { type: 'string', default: '10000' }
  }
})
const backend = values.backend as 'nftables' | 'iptables'
const RESTORE = Number(values.restore)
const BURST = Number(values.burst)
const command = `cd /work/main && node bench/firewall.ts --backend ${backend} --restore ${RESTORE} --burst ${BURST}`

/** n-th address of the RFC 2544 benchmarking range 198.18.0.0/15 and beyond (distinct, valid) */
function addr (i: number): string {
  const n = (198 << 24 | 18 << 16) + i
  return `${n >>> 24 & 255}.${n >>> 16 & 255}.${n >>> 8 & 255}.${n & 255}`
}

function pct (sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]
}

const ns = await createNetns('bench')
try {
  const firewall = createFirewall({
    backend, hooks: ['input'], keepOnStop: false, reconcileInterval: 60_000, table: 'palbench',
    command: { ban: [], unban: [] }, netns: ns.name
  }, { logger: silentLogger(), clock: systemClock })

  const until = Date.now() + 86_400_000
  const restored: FirewallBan[] = Array.from({ length: RESTORE }, (_, i) => ({ subject: addr(i), until }))
  let t0 = performance.now()
  await firewall.start(restored, ['192.0.2.0/24'])
  const startMs = performance.now() - t0

  // BURST calls spread evenly over one second, each its own ban() promise
  const latencies: number[] = []
  const pending: Array<Promise<void>> = []
  t0 = performance.now()
  for (let i = 0; i < BURST;) {
    const due = Math.floor((performance.now() - t0) * BURST / 1000) + 1
    for (; i < Math.min(due, BURST); i++) {
      const called = performance.now()
      pending.push(
        firewall.ban([{ subject: addr(RESTORE + i), until }]).then(() => {
          latencies.push(performance.now() - called)
        })
      )
    }
    await new Promise(resolve => setImmediate(resolve))
  }
  await Promise.all(pending)
  const burstMs = performance.now() - t0
  latencies.sort((a, b) => a - b)

  // the same number again, all issued in one tick: the backend's capacity rather than the arrival rate
  const atOnce: number[] = []
  t0 = performance.now()
  await Promise.all(Array.from({ length: BURST }, (_, i) => {
    const called = performance.now()
    return firewall.ban([{ subject: addr(RESTORE + BURST + i), until }]).then(() => {
      atOnce.push(performance.now() - called)
    })
  }))
  const atOnceMs = performance.now() - t0
  atOnce.sort((a, b) => a - b)

  t0 = performance.now()
  const listed = (await firewall.list())?.length ?? 0
  const listMs = performance.now() - t0
  await firewall.stop()

  const result = {
    bench: 'firewall',
    backend,
    restore: RESTORE,
    startMs: Math.round(startMs),
    burst: BURST,
    burstMs: Math.round(burstMs),
    bansPerSec: Math.round(BURST / (burstMs / 1000)),
    p50Ms: Math.round(pct(latencies, 0.5)),
    p99Ms: Math.round(pct(latencies, 0.99)),
    atOnceMs: Math.round(atOnceMs),
    atOncePerSec: Math.round(BURST / (atOnceMs / 1000)),
    atOnceP99Ms: Math.round(pct(atOnce, 0.99)),
    listed,
    listMs: Math.round(listMs),
    command
  }
  console.log(JSON.stringify(result))
  console.log(`
firewall benchmark (${backend}, in netns ${ns.name})
  start() with ${RESTORE} restored bans     ${result.startMs} ms   (target < 1000 ms)
  ${BURST} ban() calls within 1 s            ${result.burstMs} ms total, ${result.bansPerSec} bans/s
  ban promise latency                    p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms
  ${BURST} more ban() calls in one tick     ${result.atOnceMs} ms total, ${result.atOncePerSec} bans/s, p99 ${result.atOnceP99Ms} ms
  list() of ${listed} elements             ${result.listMs} ms
reproduce: ${command}`)
  if (listed !== RESTORE + 2 * BURST) {
    console.error(`expected ${RESTORE + 2 * BURST} elements in the kernel, found ${listed}`)
    process.exitCode = 1
  }
} finally {
  await ns.remove()
}

/**
 * Firewall repair: a real daemon in a throwaway network namespace holds 1,000 bans; `nft flush
 * ruleset` (what `systemctl reload nftables` does) removes its table; measured is the time from
 * the flush returning to the table being back with every ban (target < 1 s). The reconcile
 * interval is an hour, so the repair is the `nft monitor` watcher's.
 *
 *   cd /work/main && node bench/repair.ts [--runs 5] [--bans 1000]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNetns } from '../test/helpers/netns.ts'
import { benchArgs, emitAll, progress, sleep } from './lib/common.ts'
import { startBenchDaemon } from './lib/daemon.ts'
import { result } from './lib/result.ts'
import { formatTable } from './lib/table.ts'

const { runs, values } = benchArgs({ bans: { type: 'string', default: '1000' } })
const BANS = Number(values.bans)
const TABLE = 'palbench'
const cmd = `cd /work/main && node bench/repair.ts --runs ${runs} --bans ${BANS}`

const ns = await createNetns('brep')
const dir = await mkdtemp(join(tmpdir(), 'pal-bench-repair-'))
try {
  const socket = join(dir, 'palisade.sock')
  const config = join(dir, 'palisade.yml')
  await writeFile(config, `state: ${join(dir, 'state')}\nsocket: ${socket}\npatterns:\n  ip: {type: ip}\nstreams:\n  idle:\n    cmd: [sleep, infinity]\n    filters:\n      never: {regex: ['^never <ip>$'], ban: 1h}\nfirewall: {backend: nftables, table: ${TABLE}, reconcileInterval: 1h}\n`)
  // bans restored from the store at start: write them through the CLI once, then restart
  const d = await startBenchDaemon(config, socket, { netns: ns.name })
  const list = async (): Promise<number> => {
    const r = await ns.exec(['nft', '-j', 'list', 'set', 'inet', TABLE, 'ban4'])
    if (r.code !== 0) return -1
    const doc = JSON.parse(r.stdout) as { nftables: Array<{ set?: { elem?: unknown[] } }> }
    return doc.nftables.find(x => x.set !== undefined)?.set?.elem?.length ?? 0
  }
  try {
    const ips = Array.from({ length: BANS }, (_, i) => `198.18.${i >> 8}.${i & 255}`)
    for (let i = 0; i < ips.length; i += 200) {
      await Promise.all(ips.slice(i, i + 200).map(ip => ns.exec([process.execPath, join(import.meta.dirname, '../bin/palisade.ts'), '-s', socket, 'ban', ip, '--for', '2h'])))
    }
    while (await list() < BANS) await sleep(50)
    const ms: number[] = []
    for (let r = 0; r < runs; r++) {
      const flushed = await ns.exec(['nft', 'flush', 'ruleset'])
      if (flushed.code !== 0) throw new Error(flushed.stderr)
      const t0 = performance.now()
      const deadline = t0 + 30_000
      while (await list() < BANS) {
        if (performance.now() > deadline) throw new Error('table not rebuilt within 30 s')
        await sleep(5)
      }
      ms.push(performance.now() - t0)
      progress(`repair ${r + 1}: ${ms.at(-1)!.toFixed(0)} ms`)
      await sleep(300)
    }
    const results = [result('firewall', `repair after nft flush ruleset, ${BANS} bans (flush → table back with every ban)`, 'ms', ms, { target: '<1000', cmd })]
    emitAll(results)
    process.stdout.write(formatTable(results) + '\n')
  } finally {
    await d.stop()
  }
} finally {
  await rm(dir, { recursive: true, force: true })
  await ns.remove()
}

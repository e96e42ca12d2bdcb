/**
 * CLI round trip: `palisade -s SOCK show` from the shipped build (dist/) against an idle daemon
 * (firewall `none`, one stream that prints nothing), each call a new process as an administrator
 * or a monitoring script runs it. Wall time per call and the CPU of the CLI process (its rusage),
 * and a bare `node -e 0` beside it for what Node's own start costs on this machine.
 *
 *   node bench/cli.ts [--runs 20]
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DIST_BIN, NODE, ROOT, benchArgs, emitAll, progress } from './lib/common.ts'
import { startBenchDaemon } from './lib/daemon.ts'
import { result } from './lib/result.ts'
import { formatTable } from './lib/table.ts'

const { runs } = benchArgs({})
const CALLS = Math.max(20, runs)
const CMD = `cd ${ROOT} && node bench/cli.ts --runs ${CALLS}`

/** CPU ms of this process' reaped children (cutime + cstime of /proc/self/stat, in clock ticks of 10 ms) */
function childrenCpu (): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ')
  return (Number(fields[13]) + Number(fields[14])) * 10
}

/** one process: wall ms and its CPU ms */
function timed (argv: readonly string[]): Promise<{ wall: number, cpu: number }> {
  return new Promise((resolve, reject) => {
    const c0 = childrenCpu()
    const t0 = performance.now()
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] })
    child.on('error', reject)
    child.on('exit', code => {
      const wall = performance.now() - t0
      if (code !== 0) { reject(new Error(`${argv.join(' ')} exited ${code}`)); return }
      // the exit event comes after libuv reaped the child: its times are in cutime/cstime now
      resolve({ wall, cpu: childrenCpu() - c0 })
    })
  })
}

const dir = await mkdtemp(join(tmpdir(), 'palbench-cli-'))
const socket = join(dir, 'palisade.sock')
const config = join(dir, 'palisade.yml')
await writeFile(config, `state: ${join(dir, 'state')}
socket: ${socket}
firewall: {backend: none}
patterns: {ip: {type: ip}}
streams:
  s:
    cmd: [sleep, infinity]
    filters:
      f: {regex: ['from <ip>'], retry: 3, retryperiod: 1h, ban: 1h}
`)
const daemon = await startBenchDaemon(config, socket, { bin: DIST_BIN, env: { NODE_OPTIONS: '--max-semi-space-size=1' } })
try {
  progress(`cli: ${CALLS} calls of palisade show`)
  const show = [NODE, DIST_BIN, '-s', socket, 'show']
  await timed(show) // the first call fills V8's compile cache
  const wall: number[] = []
  const cpu: number[] = []
  const bare: number[] = []
  for (let i = 0; i < CALLS; i++) {
    const r = await timed(show)
    wall.push(r.wall)
    cpu.push(r.cpu)
    if (i % 2 === 0) bare.push((await timed([NODE, '-e', '0'])).wall)
  }
  const results = [
    result('cli', 'CLI round trip, `palisade show` against an idle daemon (wall)', 'ms', wall, { target: '<=100', cmd: CMD }),
    result('cli', 'CPU of the CLI process for that call (in clock ticks of 10 ms)', 'ms', cpu, { cmd: CMD }),
    result('cli', 'a bare `node -e 0` on this machine (wall)', 'ms', bare, { cmd: CMD })
  ]
  console.log(formatTable(results))
  emitAll(results)
} finally {
  await daemon.stop()
  await rm(dir, { recursive: true, force: true })
}

/**
 * Detection throughput: `palisade test-regex` (the shipped dist/ build and the sources) vs
 * `fail2ban-regex` vs `LC_ALL=C grep -cE` (the ceiling) on a generated 1,000,000-line sshd
 * auth.log; CPU seconds, lines/s and peak RSS under GNU time, the ratio of fail2ban's CPU time to
 * palisade's (whole processes), and the difference between the IP sets each tool matched.
 *
 *   node bench/detect.ts [--runs 5] [--lines 1000000] [--seed 42] [--profile] [--f2b-runs N]
 */
import { mkdtemp, rm, readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { maskIp } from '../src/common/ip.ts'
import { BIN, DIST_BIN, NODE, ROOT, benchArgs, emitAll, emitNote, progress } from './lib/common.ts'
import { FAILURE_ERE, generateSshdLog } from './gen-sshd.ts'
import { exec, timedRun, type TimedRun } from './lib/proc.ts'
import { result, skipped, type BenchResult } from './lib/result.ts'
import { summarize } from './lib/stats.ts'
import { formatTable } from './lib/table.ts'
import { ensurePackage } from './lib/tools.ts'
import { compareIpSets, cpuRun, profileOnce, type CpuRun } from './detect-compare.ts'

const F2B_FILTER = '/etc/fail2ban/filter.d/sshd.conf'
const { runs, values } = benchArgs({
  lines: { type: 'string', default: '1000000' },
  seed: { type: 'string', default: '42' },
  profile: { type: 'boolean', default: false },
  'f2b-runs': { type: 'string' }
})
const LINES = Number(values.lines)
const f2bRuns = values['f2b-runs'] === undefined ? runs : Number(values['f2b-runs'])

const dir = await mkdtemp(join(tmpdir(), 'palbench-detect-'))
try {
  const log = join(dir, 'auth.log')
  const gen = `node bench/gen-sshd.ts /tmp/auth.log --lines ${LINES} --seed ${values.seed}`
  const g = generateSshdLog(log, { lines: LINES, seed: Number(values.seed) })
  progress(`generated ${g.lines} lines, ${g.failures} failures (${g.ipv6Failures} IPv6) from ${g.attackersSeen} attackers`)

  // the sshd preset when it works, else the shipped default filter
  const presetOk = (await exec([NODE, BIN, 'test-regex', '--preset', 'sshd', '/dev/null'])).code === 0
  const palArgs = presetOk ? ['test-regex', '--preset', 'sshd'] : ['test-regex', '-c', join(ROOT, 'examples/palisade.yml'), 'ssh.failedlogin']
  const palShown = presetOk ? 'test-regex --preset sshd' : 'test-regex -c examples/palisade.yml ssh.failedlogin'
  if (!presetOk) emitNote('detect', 'palisade ran with examples/palisade.yml ssh.failedlogin: `test-regex --preset sshd` did not work at bench time')
  const results: BenchResult[] = []
  const timeMissing = await ensurePackage('/usr/bin/time', 'time', progress)
  if (timeMissing !== null) throw new Error(timeMissing)

  // the shipped build (dist/, compiled by npm's `prepare`) and the TypeScript sources, interleaved
  const entries = [{ label: 'dist', bin: DIST_BIN, shown: 'node dist/bin/palisade.js' }, { label: 'sources', bin: BIN, shown: 'node bin/palisade.ts' }]
    .filter(e => existsSync(e.bin))
  const palOut = join(dir, 'palisade.out')
  const pal = new Map<string, CpuRun[]>(entries.map(e => [e.label, []]))
  for (let i = 0; i < runs; i++) {
    for (const e of entries) {
      const r = await cpuRun([NODE, e.bin, ...palArgs, log], { stdoutPath: palOut })
      if (r.code !== 0) throw new Error(`palisade test-regex (${e.label}) exited ${r.code}: ${r.stderr}`)
      pal.get(e.label)!.push(r)
      progress(`palisade (${e.label}) run ${i + 1}: ${r.cpuS.toFixed(2)} s CPU, ${Math.round(r.wallMs)} ms wall, ${Math.round(r.maxRssKiB / 1024)} MB (${r.stderr.trim()})`)
    }
  }
  const palCmd = (e: { shown: string }): string => `cd ${ROOT} && ${gen} && /usr/bin/time -v ${e.shown} ${palShown} /tmp/auth.log > /tmp/palisade.out`
  for (const e of entries) {
    const rs = pal.get(e.label)!
    results.push(result('detect', `palisade test-regex CPU time (${e.label})`, 's', rs.map(r => r.cpuS), { cmd: palCmd(e) }))
    results.push(result('detect', `palisade test-regex throughput (${e.label})`, 'lines/s', rs.map(r => LINES / (r.wallMs / 1000)), { target: '>=2000000', cmd: palCmd(e) }))
    results.push(result('detect', `palisade test-regex peak RSS (${e.label})`, 'MB', rs.map(r => r.maxRssKiB / 1024), { cmd: palCmd(e) }))
  }

  const grep: TimedRun[] = []
  for (let i = 0; i < runs; i++) {
    // not /dev/null: GNU grep stops at the first match when its output is /dev/null
    const r = await timedRun(['grep', '-cE', FAILURE_ERE, log], { env: { LC_ALL: 'C' }, stdoutPath: join(dir, 'grep.out') })
    if (r.code !== 0) throw new Error(`grep exited ${r.code}: ${r.stderr}`)
    grep.push(r)
  }
  progress(`grep -cE counted ${(await readFile(join(dir, 'grep.out'), 'utf8')).trim()} failure lines`)
  const grepCmd = `cd ${ROOT} && ${gen} && LC_ALL=C grep -cE "$(node -e "import('./bench/gen-sshd.ts').then(m => console.log(m.FAILURE_ERE))")" /tmp/auth.log`
  results.push(result('detect', 'grep -cE ceiling throughput', 'lines/s', grep.map(r => LINES / (r.wallMs / 1000)), { cmd: grepCmd }))

  const f2bMissing = await ensurePackage('/usr/bin/fail2ban-regex', 'fail2ban', progress)
  const f2bCmd = `cd ${ROOT} && ${gen} && /usr/bin/time -v fail2ban-regex -o ip /tmp/auth.log ${F2B_FILTER} > /tmp/f2b.out`
  if (f2bMissing !== null || !existsSync(F2B_FILTER)) {
    const why = f2bMissing ?? `${F2B_FILTER} missing`
    results.push(skipped('detect', 'fail2ban-regex throughput', 'lines/s', why, f2bCmd))
    results.push(skipped('detect', 'palisade ÷ fail2ban throughput', '×', why, f2bCmd, '>=40'))
  } else {
    // -o ip: fail2ban prints one address per match, as palisade prints one line per match
    const f2bOut = join(dir, 'f2b.out')
    const f2b: CpuRun[] = []
    for (let i = 0; i < f2bRuns; i++) {
      const r = await cpuRun(['fail2ban-regex', '-o', 'ip', log, F2B_FILTER], { stdoutPath: f2bOut })
      if (r.code !== 0) throw new Error(`fail2ban-regex exited ${r.code}: ${r.stderr.slice(-500)}`)
      f2b.push(r)
      progress(`fail2ban-regex run ${i + 1}: ${r.cpuS.toFixed(2)} s CPU, ${Math.round(r.wallMs)} ms wall, ${Math.round(r.maxRssKiB / 1024)} MB`)
    }
    results.push(result('detect', 'fail2ban-regex CPU time', 's', f2b.map(r => r.cpuS), { cmd: f2bCmd }))
    results.push(result('detect', 'fail2ban-regex throughput', 'lines/s', f2b.map(r => LINES / (r.wallMs / 1000)), { cmd: f2bCmd }))
    results.push(result('detect', 'fail2ban-regex peak RSS', 'MB', f2b.map(r => r.maxRssKiB / 1024), { cmd: f2bCmd }))
    const f = summarize(f2b.map(r => r.cpuS))
    // whole processes, CPU time against CPU time (wall time on a shared machine measures the neighbours)
    for (const e of entries) {
      const p = summarize(pal.get(e.label)!.map(r => r.cpuS))
      results.push(result('detect', `fail2ban-regex ÷ palisade CPU time (${e.label})`, '×', { median: f.median / p.median, min: f.min / p.max, max: f.max / p.min, runs: Math.min(p.runs, f.runs) },
        { target: '>=40', cmd: `${palCmd(e)}; ${f2bCmd}` }))
    }
    const cmp = await compareIpSets(log, await readFile(palOut, 'utf8'), await readFile(f2bOut, 'utf8'), ip => ip.includes(':') && !ip.includes('/') ? maskIp(ip, 64) : ip)
    for (const line of cmp.lines) console.log(line)
    emitNote('detect', cmp.summary)
  }

  if (values.profile === true) {
    const top = await profileOnce([BIN, ...palArgs, log], dir)
    console.log('palisade test-regex, top 5 self-time functions (node --cpu-prof):')
    for (const t of top) console.log(`  ${t.percent}%  ${t.ms} ms  ${t.fn}  ${t.where}`)
  }

  console.log(`\ndetection throughput, ${LINES.toLocaleString('en-US')} sshd lines (${g.failures.toLocaleString('en-US')} failures, ${g.attackersSeen} attackers)`)
  console.log(formatTable(results))
  emitAll(results)
} finally {
  await rm(dir, { recursive: true, force: true })
}

/**
 * `npm run bench`: every benchmark, each as its own process, then one table, one JSON line per
 * result and the README block between <!-- bench:start --> and <!-- bench:end -->.
 *
 *   node bench/run.ts [--only detect,daemon,burst,firewall,memory,federation,feed,cli] [--runs 5] [--readme] [--full-federation]
 * A full run rewrites the README; with --only it does so only when --readme is given.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { NODE, ROOT } from './lib/common.ts'
import { foldFederation, foldFirewall } from './lib/fold.ts'
import { describeMachine, machine } from './lib/machine.ts'
import { writeReadmeBlock } from './lib/readme.ts'
import { JSON_PREFIX, emit, parseResults, skipped, type BenchResult } from './lib/result.ts'
import { formatTable, missedLines } from './lib/table.ts'

const { values } = parseArgs({
  options: { only: { type: 'string', multiple: true }, runs: { type: 'string', default: '5' }, readme: { type: 'boolean', default: false }, 'full-federation': { type: 'boolean', default: false } }
})
const RUNS = Math.max(1, Number(values.runs))
const ALL = ['detect', 'daemon', 'burst', 'firewall', 'memory', 'federation', 'feed', 'cli']
const only = (values.only ?? []).flatMap(s => s.split(',')).map(s => s.trim()).filter(s => s !== '')
for (const o of only) {
  if (!ALL.includes(o)) {
    console.error(`unknown benchmark ${o}; known: ${ALL.join(', ')}`)
    process.exit(1)
  }
}
const selected = only.length === 0 ? ALL : ALL.filter(b => only.includes(b))

interface ChildRun { code: number | null, stdout: string, seconds: number }

/** run a bench file; its stdout is echoed except the JSON lines, its stderr passes through */
function runBench (file: string, args: readonly string[]): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(NODE, [join(ROOT, file), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    let stdout = ''
    let partial = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
      const lines = (partial + d).split('\n')
      partial = lines.pop()!
      for (const l of lines) if (!l.startsWith('{"bench"')) process.stdout.write(l + '\n')
    })
    child.on('error', reject)
    child.on('close', code => {
      if (partial !== '' && !partial.startsWith('{"bench"')) process.stdout.write(partial + '\n')
      resolve({ code, stdout, seconds: (performance.now() - t0) / 1000 })
    })
  })
}

function notesOf (stdout: string): string[] {
  return stdout.split('\n').filter(l => l.startsWith(JSON_PREFIX)).flatMap(l => {
    try {
      const o = JSON.parse(l) as { kind?: string, text?: string }
      return o.kind === 'note' && typeof o.text === 'string' ? [o.text] : []
    } catch { return [] }
  })
}

/** the other helpers' benches print their own JSON object per run: run them `runs` times within a budget */
async function repeated (
  file: string,
  args: string[],
  bench: string,
  budgetS: number
): Promise<{ objects: Array<Record<string, unknown>>; failures: string[]; seconds: number }> {
  const objects: Array<Record<string, unknown>> = []
  const failures: string[] = []
  let seconds = 0
  for (let i = 0; i < RUNS; i++) {
    if (i > 0 && seconds + seconds / i > budgetS) {
      failures.push(
        `${i} run(s) instead of ${RUNS}: one run takes ${(seconds / i).toFixed(0)} s, over the ${budgetS} s budget`
      )
      break
    }
    console.log(`── ${bench} run ${i + 1}/${RUNS}`)
    const r = await runBench(file, args)
    seconds += r.seconds
    const found = r.stdout
      .split('\n')
      .filter(l => l.startsWith(JSON_PREFIX))
      .map(l => JSON.parse(l) as Record<string, unknown>)
      .filter(o => o.kind !== 'note')
    if (r.code !== 0) failures.push(`run ${i + 1} exited ${r.code}`)
    objects.push(...found)
  }
  return { objects, failures, seconds }
}

const results: BenchResult[] = []
const notes: string[] = []
const started = performance.now()
const m = machine()
console.log(`palisade benchmarks — ${describeMachine(m)}`)

for (const bench of selected) {
  console.log(`\n══ ${bench}`)
  const before = results.length
  if (bench === 'firewall') {
    const cmd = `cd ${ROOT} && node bench/firewall.ts --backend nftables --restore 100000 --burst 10000`
    const r = await repeated('bench/firewall.ts', [], 'firewall', 120)
    results.push(...foldFirewall(r.objects, cmd))
    notes.push(...r.failures.map(f => `firewall: ${f}`))
  } else if (bench === 'federation') {
    // a full run takes minutes (20,000 observations, 50 messages over 20 nodes): --quick unless asked
    const fedArgs = values['full-federation'] === true ? [] : ['--quick']
    const cmd = `cd ${ROOT} && node bench/federation.ts ${fedArgs.join(' ')}`.trim()
    if (!existsSync(join(ROOT, 'bench/federation.ts'))) {
      results.push(skipped('federation', 'federation benchmark', '', 'pending: bench/federation.ts does not exist yet', cmd))
    } else {
      const r = await repeated('bench/federation.ts', fedArgs, 'federation', 150)
      if (fedArgs.length > 0) notes.push('federation: run with --quick (2,000 observations; 20 and 10 messages); `node bench/run.ts --only federation --full-federation` for the full run')
      const std = r.objects.filter(o => typeof o.metric === 'string') as unknown as BenchResult[]
      results.push(...(std.length > 0 ? std : foldFederation(r.objects, cmd)))
      notes.push(...r.failures.map(f => `federation: ${f}`))
    }
  } else {
    const args = ['--runs', String(RUNS), ...(bench === 'detect' ? ['--profile'] : [])]
    const r = await runBench(`bench/${bench}.ts`, args)
    results.push(...parseResults(r.stdout))
    notes.push(...notesOf(r.stdout))
    if (r.code !== 0) notes.push(`${bench}: bench/${bench}.ts exited ${r.code}`)
  }
  if (results.length === before) results.push(skipped(bench, `${bench} benchmark`, '', 'produced no result (see its output above)', `cd ${ROOT} && node bench/run.ts --only ${bench}`))
}

const total = (performance.now() - started) / 1000
const table = formatTable(results)
const missed = missedLines(results)
console.log(`\n══ summary (${total.toFixed(0)} s) — ${describeMachine(m)}\n`)
console.log(table)
for (const n of notes) console.log(`note: ${n}`)
for (const l of missed) console.log(l)
console.log('')
for (const r of results) emit(r)

if (only.length === 0 || values.readme === true) {
  const body = [
    `Last run ${m.date} by \`${only.length === 0 ? 'npm run bench' : `node bench/run.ts --only ${selected.join(',')}`}\` (${total.toFixed(0)} s): ` +
      `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node} (load average at start ${m.load}). Median of ${RUNS} runs unless the runs column says otherwise, min–max beside it; ` +
      'every row\'s exact command is in the JSON line `npm run bench` prints for it.',
    '',
    table,
    '',
    ...notes.map(n => `- ${n}`),
    ...(missed.length === 0 ? ['', 'All targets met.'] : ['', ...missed.map(l => `- ${l}`)])
  ].join('\n')
  await writeReadmeBlock(join(ROOT, 'README.md'), body)
  console.log('README.md benchmark section rewritten')
}

/**
 * `npm run fuzz`: every fuzz target with many more cases than `npm test` gives them.
 *   node test/fuzz/run.ts --runs 10000000 [--seed N] [FILTER]
 * FILTER keeps the test files whose name contains it (e.g. `presets`). A failure prints
 * fast-check's seed and path: rerun with `--seed` to replay it.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

const args = process.argv.slice(2)
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name)
  if (i === -1) return undefined
  const v = args[i + 1]
  args.splice(i, 2)
  return v
}
const runs = opt('--runs') ?? '10000000'
const seed = opt('--seed')
const filter = args[0] ?? ''
const dir = import.meta.dirname
const files = readdirSync(dir).filter(f => f.endsWith('.test.ts') && f.includes(filter)).map(f => join(dir, f))
const env = { ...process.env, PALISADE_FUZZ_RUNS: runs, ...(seed === undefined ? {} : { PALISADE_FUZZ_SEED: seed }) }
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=0', ...files], { stdio: 'inherit', env })
process.exitCode = r.status ?? 1

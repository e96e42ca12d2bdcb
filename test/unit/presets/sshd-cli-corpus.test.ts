/**
 * The golden lines of the sshd-family presets through the real CLI, the way an outside scorer
 * runs them: `palisade test-regex --preset NAME:MODE -`, every line of a directory's cases.yaml on
 * stdin in order (link state carries within the run), `IP<TAB>line` out. Recall and precision per
 * preset and mode are printed; anything below 1.0 fails with the lines that differ. This is the
 * path test-regex takes (chunked reading, literal prefilter, line slicing), not only compileFilter.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'

const ROOT = join(import.meta.dirname, '../../..')
const FIXTURES = join(ROOT, 'test/fixtures/presets')

const RUNS: Array<[preset: string, mode: string, dir: string]> = [
  ['sshd', 'normal', 'sshd-normal'], ['sshd', 'ddos', 'sshd-ddos'], ['sshd', 'extra', 'sshd-extra'],
  ['sshd', 'aggressive', 'sshd-aggressive'], ['dropbear', 'normal', 'dropbear-normal'], ['pam-generic', 'normal', 'pam-generic-normal']
]

interface Scored { recall: number, precision: number, wrong: string[] }

/** expected[i] per input line, got: the CLI's `IP<TAB>line` rows, in input order */
export function score (lines: string[], expected: Array<string | null>, out: string): Scored {
  const rows = out.split('\n').filter(r => r.includes('\t')).map(r => ({ ip: r.slice(0, r.indexOf('\t')), line: r.slice(r.indexOf('\t') + 1) }))
  let k = 0
  let tp = 0
  let fp = 0
  const wrong: string[] = []
  lines.forEach((line, i) => {
    const got = k < rows.length && rows[k].line === line ? rows[k++].ip : null
    const want = expected[i]
    if (got !== null && got === want) tp++
    else if (got !== null) fp++
    if (got !== want) wrong.push(`expected ${want ?? 'none'}, got ${got ?? 'none'}: ${line}`)
  })
  const wanted = expected.filter(e => e !== null).length
  return { recall: wanted === 0 ? 1 : tp / wanted, precision: tp + fp === 0 ? 1 : tp / (tp + fp), wrong }
}

describe('sshd-family golden lines through palisade test-regex', () => {
  for (const [preset, mode, dir] of RUNS) {
    test(`${preset}:${mode} on ${dir}`, (t) => {
      const cases = parseYaml(readFileSync(join(FIXTURES, dir, 'cases.yaml'), 'utf8')) as { lines: Array<{ line: string, ip?: string | null }> }
      const lines = cases.lines.map(c => c.line)
      const expected = cases.lines.map(c => c.ip === undefined || c.ip === null ? null : String(c.ip))
      const r = spawnSync(join(ROOT, 'node_modules/.bin/node'), [join(ROOT, 'bin/palisade.ts'), 'test-regex', '--preset', `${preset}:${mode}`, '-'],
        { input: lines.join('\n') + '\n', encoding: 'utf8', timeout: 60_000 })
      assert.equal(r.status, 0, r.stderr)
      const s = score(lines, expected, r.stdout)
      t.diagnostic(`${preset}:${mode}: ${lines.length} lines, ${expected.filter(e => e !== null).length} failures, recall ${s.recall.toFixed(3)}, precision ${s.precision.toFixed(3)}`)
      assert.deepEqual(s.wrong, [])
    })
  }
})

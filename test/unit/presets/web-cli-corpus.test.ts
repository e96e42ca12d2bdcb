/**
 * The golden lines of the web presets (every nginx-*, apache-*, haproxy-* directory with a
 * cases.yaml) through the real CLI, as an outside scorer runs them: `palisade test-regex --preset
 * NAME:MODE -`, the directory's lines on stdin in order, `IP<TAB>line` out in input order. Recall
 * and precision per preset and mode are printed; anything that differs fails with its lines. This
 * is test-regex's own path (chunked reading, literal prefilter, line slicing), not only compileFilter.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'

const ROOT = join(import.meta.dirname, '../../..')
const FIXTURES = join(ROOT, 'test/fixtures/presets')

const DIRS = readdirSync(FIXTURES).filter(d => /^(?:nginx|apache|haproxy)-/.test(d) && existsSync(join(FIXTURES, d, 'cases.yaml'))).sort()

function cli (preset: string, mode: string, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(join(ROOT, 'node_modules/.bin/node'), [join(ROOT, 'bin/palisade.ts'), 'test-regex', '--preset', `${preset}:${mode}`, '-'],
      { encoding: 'utf8', timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => { if (err !== null) reject(new Error(`${err.message}\n${stderr}`)); else resolve(stdout) })
    child.stdin?.end(input)
  })
}

describe('web presets: golden lines through palisade test-regex', { concurrency: 4 }, () => {
  test('there are web golden directories', () => {
    assert.ok(DIRS.length >= 17, `only ${DIRS.length}: ${DIRS.join(', ')}`)
  })
  for (const dir of DIRS) {
    test(dir, async (t) => {
      const config = readFileSync(join(FIXTURES, dir, 'config.yaml'), 'utf8')
      const preset = /^\s+preset: (\S+)$/m.exec(config)?.[1]
      const mode = /^\s+mode: (\S+)$/m.exec(config)?.[1] ?? 'normal'
      assert.ok(preset !== undefined, `${dir}/config.yaml names a preset`)
      const cases = parseYaml(readFileSync(join(FIXTURES, dir, 'cases.yaml'), 'utf8')) as { lines: Array<{ line: string, ip?: string | null }> }
      const lines = cases.lines.map(c => c.line)
      const expected = cases.lines.map(c => c.ip === undefined || c.ip === null ? null : String(c.ip))
      const rows = (await cli(preset, mode, lines.join('\n') + '\n')).split('\n').filter(r => r.includes('\t'))
        .map(r => ({ ip: r.slice(0, r.indexOf('\t')), line: r.slice(r.indexOf('\t') + 1) }))
      let k = 0
      let tp = 0
      let fp = 0
      const wrong: string[] = []
      lines.forEach((line, i) => {
        const got = k < rows.length && rows[k].line === line ? rows[k++].ip : null
        if (got !== null && got === expected[i]) tp++
        else if (got !== null) fp++
        if (got !== expected[i]) wrong.push(`expected ${expected[i] ?? 'none'}, got ${got ?? 'none'}: ${line}`)
      })
      const wanted = expected.filter(e => e !== null).length
      t.diagnostic(`${preset}:${mode}: ${lines.length} lines, ${wanted} failures, recall ${(wanted === 0 ? 1 : tp / wanted).toFixed(3)}, precision ${(tp + fp === 0 ? 1 : tp / (tp + fp)).toFixed(3)}`)
      assert.equal(k, rows.length, 'every output row is one of the input lines, in order')
      assert.deepEqual(wrong, [])
    })
  }
})

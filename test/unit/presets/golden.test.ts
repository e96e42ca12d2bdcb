/**
 * Golden directories for the presets: test/fixtures/presets/<case>/{config.yaml,input.log,expected.yaml}.
 * Each config.yaml has one stream `s` with `preset:` (and `mode:`) read through the real config
 * loader; every line of input.log goes through the real compiled filters in order (so `link`
 * sees earlier lines). expected.yaml maps a 1-based line number to the address that line must
 * yield; every line not listed must yield nothing (negatives: successful logins, log injection).
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { parseConfig } from '../../../src/config/index.ts'
import { compileFilter } from '../../../src/detect/index.ts'

const ROOT = join(import.meta.dirname, '../../fixtures/presets')
const T0 = Date.UTC(2026, 10, 23, 14, 9, 1)

function expectedOf (dir: string): Map<number, string> {
  const raw = parseYaml(readFileSync(join(dir, 'expected.yaml'), 'utf8')) as Record<string, unknown> | null
  const out = new Map<number, string>()
  for (const [k, v] of Object.entries(raw ?? {})) out.set(Number(k), String(v))
  return out
}

describe('preset golden directories', () => {
  // directories with only cases.yaml are the second form (golden-cases.test.ts)
  const cases = readdirSync(ROOT, { withFileTypes: true }).filter(d => d.isDirectory() && existsSync(join(ROOT, d.name, 'input.log'))).map(d => d.name).sort()

  test('there are cases', () => {
    // directories move to the cases.yaml form one by one: count both forms
    const all = readdirSync(ROOT, { withFileTypes: true }).filter(d => d.isDirectory() && (existsSync(join(ROOT, d.name, 'input.log')) || existsSync(join(ROOT, d.name, 'cases.yaml'))))
    assert.ok(all.length >= 11, `only ${all.length} fixture directories`)
  })

  for (const name of cases) {
    test(name, () => {
      const dir = join(ROOT, name)
      const file = join(dir, 'config.yaml')
      const config = parseConfig([{ file, text: readFileSync(file, 'utf8'), format: 'yaml' }], { isRoot: false, cwd: dir })
      const stream = config.streams.s
      assert.ok(stream !== undefined, 'config has a stream `s`')
      assert.ok(stream.filters.length > 0)
      const filters = stream.filters.map(f => compileFilter(f, config.patterns))
      const expected = expectedOf(dir)
      const lines = readFileSync(join(dir, 'input.log'), 'utf8').split('\n')
      if (lines.at(-1) === '') lines.pop()
      for (const n of expected.keys()) assert.ok(n >= 1 && n <= lines.length, `expected.yaml names line ${n}, input.log has ${lines.length}`)
      const problems: string[] = []
      lines.forEach((line, i) => {
        const n = i + 1
        let got: string | null = null
        for (const f of filters) {
          const m = f.match(line, T0 + i * 1000)
          if (m !== null) { got = m.ip ?? m.key; break }
        }
        const want = expected.get(n) ?? null
        if (got !== want) problems.push(`line ${n}: expected ${want ?? 'no match'}, got ${got ?? 'no match'}\n    ${line}`)
      })
      assert.equal(problems.length, 0, `${name}:\n  ${problems.join('\n  ')}`)
    })
  }
})

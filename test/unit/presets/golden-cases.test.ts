/**
 * Golden cases, second form: test/fixtures/presets/<case>/{config.yaml,cases.yaml}.
 *
 * config.yaml has one stream `s` with `preset:` (and `mode:`), read through the real config
 * loader. cases.yaml says where every line's format comes from and what it must yield:
 *
 *   lines:                       # run in order through one set of compiled filters (link state carries)
 *     - line: 'Nov 23 14:09:01 host sshd[7]: Failed password for root from 203.0.113.7 port 52144 ssh2'
 *       ip: 203.0.113.7          # omitted or null: the line must not match
 *       source: 'OpenSSH auth.c auth_log(): "Failed %s for %s%.100s from %.200s port %d ssh2"'
 *   sequences:                   # each with fresh filters and counters (the preset's retry/retryperiod)
 *     - name: one failed password logged by PAM and by sshd counts once
 *       source: 'OpenSSH auth-pam.c + Linux-PAM pam_unix'
 *       step: 1s                 # time between lines (default 1s)
 *       lines: [ '...', '...' ]
 *       counts: { 203.0.113.7: 1 }   # matches per address over the sequence (every address that matched)
 *       triggers: [ 203.0.113.7 ]    # optional: addresses that reached retry, in order
 *
 * Every entry must name its `source`: the fixtures are built from the software's own code and
 * documentation of its log messages, never from another project's sample logs.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { parseConfig } from '../../../src/config/index.ts'
import { parseDuration } from '../../../src/common/duration.ts'
import { compileFilter } from '../../../src/detect/index.ts'
import { Counters } from '../../../src/detect/counters.ts'

const ROOT = join(import.meta.dirname, '../../fixtures/presets')
const T0 = Date.UTC(2026, 10, 23, 14, 9, 1)

interface LineCase { line: string, ip?: string | null, source: string }
interface SequenceCase {
  name: string
  source: string
  step?: string
  lines: string[]
  counts: Record<string, number>
  triggers?: string[]
}
interface Cases { lines?: LineCase[], sequences?: SequenceCase[] }

function load (dir: string): { cases: Cases, compile: () => ReturnType<typeof compileAll> } {
  const file = join(dir, 'config.yaml')
  const config = parseConfig([{ file, text: readFileSync(file, 'utf8'), format: 'yaml' }], { isRoot: false, cwd: dir })
  const stream = config.streams.s
  assert.ok(stream !== undefined, 'config has a stream `s`')
  const cases = parseYaml(readFileSync(join(dir, 'cases.yaml'), 'utf8')) as Cases
  return { cases, compile: () => compileAll(stream.filters, config.patterns) }
}

function compileAll (filters: Parameters<typeof compileFilter>[0][], patterns: Parameters<typeof compileFilter>[1]) {
  return filters.map(f => ({ config: f, compiled: compileFilter(f, patterns) }))
}

describe('preset golden cases (cases.yaml)', () => {
  const dirs = readdirSync(ROOT, { withFileTypes: true })
    .filter(d => d.isDirectory() && existsSync(join(ROOT, d.name, 'cases.yaml')))
    .map(d => d.name).sort()

  for (const name of dirs) {
    test(name, () => {
      const { cases, compile } = load(join(ROOT, name))
      const problems: string[] = []
      const lines = cases.lines ?? []
      const seqs = cases.sequences ?? []
      assert.ok(lines.length + seqs.length > 0, 'cases.yaml has lines or sequences')

      const filters = compile()
      lines.forEach((c, i) => {
        if (typeof c.source !== 'string' || c.source.trim() === '') problems.push(`lines[${i}]: no source`)
        let got: string | null = null
        for (const f of filters) {
          const m = f.compiled.match(c.line, T0 + i * 1000)
          if (m !== null) { got = m.ip ?? m.key; break }
        }
        const want = c.ip ?? null
        if (got !== want) problems.push(`lines[${i}]: expected ${want ?? 'no match'}, got ${got ?? 'no match'}\n    ${c.line}`)
      })

      for (const s of seqs) {
        if (typeof s.source !== 'string' || s.source.trim() === '') problems.push(`sequence "${s.name}": no source`)
        const fresh = compile()
        const counters = new Counters(100_000)
        const step = parseDuration(s.step ?? '1s')
        const counts: Record<string, number> = {}
        const triggers: string[] = []
        s.lines.forEach((line, i) => {
          for (const f of fresh) {
            const m = f.compiled.match(line, T0 + i * step)
            if (m === null) continue
            const who = m.ip ?? m.key
            counts[who] = (counts[who] ?? 0) + 1
            if (counters.add(f.config, m).triggered) triggers.push(who)
          }
        })
        try {
          assert.deepEqual(counts, Object.fromEntries(Object.entries(s.counts).map(([k, v]) => [k, Number(v)])))
        } catch {
          problems.push(`sequence "${s.name}": counts ${JSON.stringify(counts)}, expected ${JSON.stringify(s.counts)}`)
        }
        if (s.triggers !== undefined && JSON.stringify(triggers) !== JSON.stringify(s.triggers.map(String))) {
          problems.push(`sequence "${s.name}": triggers ${JSON.stringify(triggers)}, expected ${JSON.stringify(s.triggers)}`)
        }
      }
      assert.equal(problems.length, 0, `${name}:\n  ${problems.join('\n  ')}`)
    })
  }
})

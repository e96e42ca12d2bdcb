/**
 * One generic property over every preset and mode (allPresets()): random lines built from the
 * preset's own words, address-like tokens (valid, invalid, mapped, IPv4-compatible, zoned,
 * prefixes) and noise. Whatever matches, every address a filter reports is valid and in its
 * canonical form (node:net isIP, common/ip.ts normalisation), and no line costs more than a
 * bounded amount of CPU. Injection through each client-controlled field is tested per preset in
 * test/unit/presets/.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isIP } from 'node:net'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { parse } from 'yaml'
import { parseSubject } from '../../src/common/ip.ts'
import { parseConfig } from '../../src/config/index.ts'
import { allPresets } from '../../src/config/presets/index.ts'
import { compileFilter } from '../../src/detect/index.ts'
import type { CompiledFilter } from '../../src/detect/types.ts'
import { fuzzOptions } from './budget.ts'

// CPU per line, all filters of a preset: generous, a backtracking regex costs seconds
const MAX_CPU_MS_PER_LINE = 200

interface Target { name: string, filters: CompiledFilter[], ipPatterns: string[], words: string[], golden: string[] }

/** The golden lines of each preset:mode (test/fixtures/presets/*): real line shapes to mutate. */
function goldenLines (): Map<string, string[]> {
  const root = join(import.meta.dirname, '../fixtures/presets')
  const out = new Map<string, string[]>()
  for (const dir of readdirSync(root)) {
    const at = join(root, dir)
    if (!existsSync(join(at, 'config.yaml'))) continue
    const stream = (
      parse(readFileSync(join(at, 'config.yaml'), 'utf8')) as {
        streams?: { s?: { preset?: string; mode?: string } }
      } | null
    )?.streams?.s
    const preset = allPresets().find(p => p.name === stream?.preset)
    if (preset === undefined) continue
    const key = `${preset.name}:${stream?.mode ?? preset.defaultMode}`
    const lines = out.get(key) ?? []
    if (existsSync(join(at, 'cases.yaml'))) {
      const cases = parse(readFileSync(join(at, 'cases.yaml'), 'utf8')) as { lines?: Array<{ line?: unknown }> } | null
      for (const c of cases?.lines ?? []) if (typeof c.line === 'string') lines.push(c.line)
    }
    if (existsSync(join(at, 'input.log'))) lines.push(...readFileSync(join(at, 'input.log'), 'utf8').split('\n').filter(l => l !== ''))
    out.set(key, lines)
  }
  return out
}

const golden = goldenLines()
const targets: Target[] = []
for (const p of allPresets()) {
  for (const mode of p.modes) {
    const text = `patterns:\n  ip:\n    type: ip\nstreams:\n  s:\n    cmd: [cat]\n    preset: ${p.name}\n    mode: ${mode}\n`
    const config = parseConfig([{ file: `${p.name}.yml`, text, format: 'yaml' }], { isRoot: false, cwd: '/' })
    const filters = config.streams.s.filters.map(f => compileFilter(f, config.patterns))
    const words = [
      ...new Set(
        config.streams.s.filters.flatMap(f => f.regex.join(' ').match(/(?<!\\)[A-Za-z][A-Za-z0-9_=-]{2,}/g) ?? [])
      )
    ]
    const ipPatterns = Object.entries(config.patterns).filter(([, v]) => v.type !== undefined).map(([k]) => k)
    const name = `${p.name}:${mode}`
    targets.push({
      name,
      filters,
      ipPatterns,
      words,
      golden: golden.get(name) ?? golden.get(`${p.name}:${p.defaultMode}`) ?? []
    })
  }
}

const ADDRESSES = ['203.0.113.7', '198.51.100.23', '2001:db8::7', '2001:DB8:0:0::7', '::ffff:203.0.113.9', '::1.2.3.4', '::ffff:0:1.2.3.4',
  'fe80::1%eth0', 'fe80::1%', '999.1.1.1', '01.2.3.4', '1.2.3', '0x7f.1', '1.2.3.4.5', '::', '127.0.0.1', '10.0.0.1', '2001:db8::/64',
  '203.0.113.0/24', '[2001:db8::8]', '[203.0.113.8]:22', '2001:db8::7:22', '1::2::3', ':::', 'ff02::1', '255.255.255.255']
const PREFIXES = ['Dec  1 20:00:00 host sshd[123]: ', '2026-12-01T20:00:00.123456+00:00 host app[9]: ', '', 'host postfix/smtpd[7]: ']
const SEPARATORS = [' ', '', ': ', '=', '"', "'", ', ', ' [', '] ', '(', ')', '/', '\t']

const address = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ADDRESSES) },
  { weight: 1, arbitrary: fc.ipV4() },
  { weight: 1, arbitrary: fc.ipV6() },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }
)
const noise = (t: number): fc.Arbitrary<string> =>
  fc
    .array(
      fc.tuple(
        fc.oneof(
          {
            weight: 4,
            arbitrary: targets[t].words.length > 0 ? fc.constantFrom(...targets[t].words) : fc.string({ maxLength: 6 })
          },
          { weight: 3, arbitrary: address },
          { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
          { weight: 1, arbitrary: fc.nat({ max: 65535 }).map(String) }
        ),
        fc.constantFrom(...SEPARATORS)
      ),
      { maxLength: 14 }
    )
    .map(parts => parts.map(([w, s]) => w + s).join(''))

// address-like tokens in a golden line, to be replaced by hostile ones
const IP_TOKEN = /[0-9A-Fa-f:.]*[:.][0-9A-Fa-f:.]*/g

// most lines are a golden line of the preset, mutated: its addresses replaced by address-like
// text, fragments (its own words, addresses, noise) spliced in, a piece cut or repeated; the
// others are its words, addresses and noise in any order
const mutated = (t: number): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.constantFrom(...targets[t].golden),
      fc.array(address, { minLength: 4, maxLength: 4 }),
      fc.oneof(
        { weight: 3, arbitrary: fc.constant([]) },
        { weight: 1, arbitrary: fc.array(fc.tuple(fc.nat(), noise(t)), { minLength: 1, maxLength: 2 }) }
      ),
      fc.oneof(
        { weight: 3, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.nat({ max: 3 })) }
      )
    )
    .map(([base, fills, splices, cut]) => {
      let i = 0
      let text = base.replace(IP_TOKEN, tok => (isIP(tok) === 0 ? tok : fills[i++ % fills.length]))
      for (const [at, frag] of splices) {
        const k = at % (text.length + 1)
        text = text.slice(0, k) + frag + text.slice(k)
      }
      if (cut !== null) {
        const [at, len, times] = cut
        const k = at % (text.length + 1)
        text = text.slice(0, k) + text.slice(k, k + len).repeat(times) + text.slice(k + len)
      }
      return text
    })
const free = (t: number): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom(...PREFIXES), noise(t)).map(([p, n]) => p + n)

const line = fc
  .nat({ max: targets.length - 1 })
  .chain(t =>
    fc.tuple(
      fc.constant(t),
      targets[t].golden.length > 0
        ? fc.oneof({ weight: 4, arbitrary: mutated(t) }, { weight: 1, arbitrary: free(t) })
        : free(t),
      fc.oneof(
        { weight: 9, arbitrary: fc.constant('') },
        {
          weight: 1,
          arbitrary: fc.constantFrom('a', ' ', '1.', ':', 'x ').chain(c => fc.nat({ max: 4000 }).map(n => c.repeat(n)))
        }
      )
    )
  )
  .map(([t, body, tail]) => ({ t, text: body + tail }))

function checkAddress (where: string, value: string): void {
  const s = parseSubject(value)
  assert.ok(s !== null && isIP(s.address) !== 0, `${where}: ${JSON.stringify(value)} is not an address or prefix`)
  assert.equal(s.text, value, `${where}: ${JSON.stringify(value)} is not in canonical form`)
}

test('every preset and mode: reported addresses are valid and canonical, CPU per line bounded', () => {
  let worst = { ms: 0, target: '', line: '' }
  let matched = 0
  const options = fuzzOptions(100_000)
  fc.assert(fc.property(line, ({ t, text }) => {
    const target = targets[t]
    const before = process.cpuUsage()
    const matches = target.filters.map(f => f.match(text, 0))
    const spent = process.cpuUsage(before)
    const ms = (spent.user + spent.system) / 1000
    if (ms > worst.ms) worst = { ms, target: target.name, line: text.slice(0, 200) }
    for (const m of matches) {
      if (m === null) continue
      matched++
      if (m.ip !== undefined) checkAddress(`${target.name} ip`, m.ip)
      for (const p of target.ipPatterns) { if (m.values[p] !== undefined) checkAddress(`${target.name} <${p}>`, m.values[p]) }
    }
  }), options)
  // the property is only worth its runs when lines do match: the generator must reach the regexes
  assert.ok(matched >= options.numRuns / 20, `only ${matched} of ${options.numRuns} lines matched any filter`)
  assert.ok(worst.ms < MAX_CPU_MS_PER_LINE, `${worst.target}: ${worst.ms.toFixed(1)} ms CPU for ${JSON.stringify(worst.line)}`)
})

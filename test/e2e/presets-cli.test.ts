/**
 * The preset golden directories once more, through the admin's tool as a real process: the first
 * form as `palisade test-regex -c config.yaml s input.log` compared with expected.yaml, the
 * cases.yaml form with its lines on stdin to `palisade test-regex --preset NAME:MODE -` (stdin
 * lines in, `IP<TAB>line` out in input order) compared with each line's `ip`.
 */
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { cli } from '../helpers/daemon.ts'

const ROOT = join(import.meta.dirname, '../fixtures/presets')
const cases = readdirSync(ROOT, { withFileTypes: true }).filter(d => d.isDirectory()).map(d => d.name).sort()

/** `IP<TAB>line` output mapped back to input line numbers (output keeps input order) */
function byLine (lines: readonly string[], stdout: string): Map<number, string> {
  const got = new Map<number, string>()
  let cursor = 0
  for (const out of stdout.split('\n').filter(Boolean)) {
    const tab = out.indexOf('\t')
    const text = out.slice(tab + 1)
    while (cursor < lines.length && lines[cursor] !== text) cursor++
    got.set(cursor + 1, out.slice(0, tab))
    cursor++
  }
  return got
}

/** first form: `palisade test-regex -c config.yaml s input.log`, compared with expected.yaml */
async function checkInputLog (name: string, dir: string): Promise<string[]> {
  const r = await cli(['test-regex', '-c', join(dir, 'config.yaml'), 's', join(dir, 'input.log')])
  if (r.code !== 0) return [`exit ${r.code}: ${r.stderr}`]
  const lines = readFileSync(join(dir, 'input.log'), 'utf8').split('\n')
  if (lines.at(-1) === '') lines.pop()
  const expected = new Map(Object.entries(parseYaml(readFileSync(join(dir, 'expected.yaml'), 'utf8')) ?? {}).map(([k, v]) => [Number(k), String(v)]))
  const got = byLine(lines, r.stdout)
  const problems: string[] = []
  for (let n = 1; n <= lines.length; n++) {
    if ((got.get(n) ?? null) !== (expected.get(n) ?? null)) problems.push(`${name} line ${n}: expected ${expected.get(n) ?? 'no match'}, got ${got.get(n) ?? 'no match'}`)
  }
  const summary = new RegExp(`^${lines.length} lines, ${expected.size} matched, \\d+ distinct IPs\\n$`)
  if (!summary.test(r.stderr)) problems.push(`${name}: summary ${JSON.stringify(r.stderr)}`)
  return problems
}

/** second form (cases.yaml): its lines on stdin to `palisade test-regex --preset NAME:MODE -` */
async function checkCases (name: string, dir: string): Promise<string[]> {
  const stream = (parseYaml(readFileSync(join(dir, 'config.yaml'), 'utf8')) as { streams: { s: { preset: string, mode?: string } } }).streams.s
  const entries = ((parseYaml(readFileSync(join(dir, 'cases.yaml'), 'utf8')) as { lines?: Array<{ line: string, ip?: string | null }> }).lines ?? [])
  if (entries.length === 0) return []
  const lines = entries.map(e => e.line)
  const r = await cli(['test-regex', '--preset', stream.mode === undefined ? stream.preset : `${stream.preset}:${stream.mode}`, '-'], { input: lines.join('\n') + '\n' })
  if (r.code !== 0) return [`${name}: exit ${r.code}: ${r.stderr}`]
  const got = byLine(lines, r.stdout)
  const problems: string[] = []
  entries.forEach((e, i) => {
    if ((got.get(i + 1) ?? null) !== (e.ip ?? null)) problems.push(`${name} lines[${i}]: expected ${e.ip ?? 'no match'}, got ${got.get(i + 1) ?? 'no match'}`)
  })
  return problems
}

async function check (name: string): Promise<string[]> {
  const dir = join(ROOT, name)
  return existsSync(join(dir, 'cases.yaml')) ? await checkCases(name, dir) : await checkInputLog(name, dir)
}

test('every preset golden case gives the expected addresses through palisade test-regex', async () => {
  assert.ok(cases.length >= 11)
  const problems: string[] = []
  // two at a time: each case is a whole CLI process
  for (let i = 0; i < cases.length; i += 2) {
    for (const p of await Promise.all(cases.slice(i, i + 2).map(check))) problems.push(...p)
  }
  assert.deepEqual(problems, [])
})

test('test-regex --preset NAME:MODE needs no configuration; --explain names the regex and captures', async () => {
  const input = 'Nov 23 14:09:01 host sshd[123]: Failed password for invalid user x from 1.2.3.4 port 22 from 198.51.100.9 port 4242 ssh2\n'
  const r = await cli(['test-regex', '--preset', 'sshd:aggressive', '--explain', '-'], { input })
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /^198\.51\.100\.9\t/)
  assert.match(r.stdout, /regex #\d+: /)
  assert.match(r.stdout, /<ip> = "198\.51\.100\.9" → 198\.51\.100\.9/)
  const bad = await cli(['test-regex', '--preset', 'nope', '-'], { input })
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /sshd/, 'an unknown preset lists the known ones')
})

test('test-regex REGEX LINE|FILE (fail2ban-regex habit): <HOST> or <ip>, a literal line or a file; --missed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pal-test-regex-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  const line = 'Nov 23 14:09:01 host sshd[1]: Failed password for root from 198.51.100.4 port 22 ssh2'
  const one = await cli(['test-regex', 'Failed password for .* from <HOST> port \\d+', line])
  assert.equal(one.code, 0, one.stderr)
  assert.equal(one.stdout, `198.51.100.4\t${line}\n`)
  assert.equal(one.stderr, '1 lines, 1 matched, 1 distinct IPs\n')
  const file = join(dir, 'auth.log')
  writeFileSync(file, `${line}\nnoise one\nFAILED PASSWORD for x from 2001:db8::7 port 1 ssh2\nnoise two\n`)
  // reaction's Go syntax works here as in a config: (?i), \A
  const f = await cli(['test-regex', '(?i)failed password for .* from <ip> port', file])
  assert.equal(f.code, 0, f.stderr)
  assert.equal(f.stdout, `198.51.100.4\t${line}\n2001:db8::7\tFAILED PASSWORD for x from 2001:db8::7 port 1 ssh2\n`)
  assert.equal(f.stderr, '4 lines, 2 matched, 2 distinct IPs\n')
  const missed = await cli(['test-regex', '--missed', '(?i)failed password for .* from <ip> port', file])
  assert.equal(missed.stdout, 'noise one\nnoise two\n')
  assert.equal(missed.stderr, '4 lines, 2 matched, 2 distinct IPs\n')
  const presetMissed = await cli(['test-regex', '--preset', 'sshd', '--missed', file])
  assert.equal(presetMissed.stdout, 'noise one\nFAILED PASSWORD for x from 2001:db8::7 port 1 ssh2\nnoise two\n')
  const refused = await cli(['test-regex', '(\\w+\\s?)+ <ip>', 'x'])
  assert.equal(refused.code, 1)
  assert.match(refused.stderr, /REGEX .*refused regex: this regex can take exponential time/)
})

/**
 * Regexes that stall the daemon, or escape the wrapper they are put in, are refused at load.
 * Each test performs the attack on the bare regex first (it works), then shows the loader
 * refusing the config that carries it, with the place named.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { backtrackingRisk } from '../../../src/config/regex-safety.ts'
import { allPresets } from '../../../src/config/presets/index.ts'
import { builtinIpRegex } from '../../../src/common/ip-regex.ts'
import { issuesOf, load, tempDir, userEnv } from './helpers.ts'

const { dir, write } = tempDir()
let n = 0
const file = (text: string): string => write(`s${n++}.yml`, text)

const config = (pattern: string, regex: string): string => `patterns:
  ip:
    type: ip
${pattern}streams:
  s:
    cmd: [cat]
    filters:
      f:
        regex: [${JSON.stringify(regex)}]
        ban: 1h
`

describe('exponential backtracking is refused at load', () => {
  test('(\\w+\\s?)+ : the attack takes long on one short line, the loader refuses it', async () => {
    const re = /(\w+\s?)+$/
    const line = 'a'.repeat(26) + '!'
    const t0 = performance.now()
    re.test(line)
    // on this machine ~0.5 s; a faster one still far above what a linear regex takes on 27 characters
    assert.ok(performance.now() - t0 > 20, 'the attack line should make the bare regex backtrack')
    const issues = await issuesOf(file(config('', 'from <ip> (\\w+\\s?)+$')), userEnv(dir))
    assert.equal(issues.length, 1, issues.join('\n'))
    assert.match(issues[0], /:9:17: streams\.s\.filters\.f\.regex\.0: refused regex: this regex can take exponential time/)
  })

  test('in a pattern regex and in ignoreregex too', async () => {
    const issues = await issuesOf(file(config('  user:\n    regex: \'(a*)*b\'\n    ignoreregex: [\'(x+x+)+y\']\n', 'user <user> from <ip>')), userEnv(dir))
    assert.equal(issues.length, 2, issues.join('\n'))
    assert.match(issues[0], /patterns\.user\.regex: refused regex: .*exponential/)
    assert.match(issues[1], /patterns\.user\.ignoreregex\.0: refused regex: .*exponential/)
  })

  test('polynomial regexes (.*a.*a) load: common, and harmless on capped lines', async () => {
    const cfg = await load(file(config('', 'user .* from .*<ip>')), userEnv(dir))
    assert.equal(cfg.streams.s.filters.length, 1)
    assert.equal(backtrackingRisk('.*a.*a')?.exponential, false)
  })

  test('no preset regex, in any mode, can take exponential time', () => {
    const ip = builtinIpRegex('ip')
    for (const p of allPresets()) {
      for (const mode of p.modes) {
        for (const f of p.filters(mode)) {
          for (const r of [...f.regex, ...(f.link?.from ?? [])]) {
            const src = r.replace(/(?<!\(\?P?|\\k)<([A-Za-z_]\w*)>/g, (_, name: string) => `(?<${name}>${ip})`)
            const risk = backtrackingRisk(src)
            assert.notEqual(risk?.exponential, true, `${p.name}:${mode} ${f.name}: ${r}`)
          }
        }
      }
    }
  })
})

describe('a user regex cannot escape the wrapper it is put in', () => {
  test('ignoreregex `x)|(.*` would ignore every address once wrapped; it is refused', async () => {
    // the attack: wrapped as the value check wraps it, it matches anything
    const wrapped = /^(?:x)|(.*)$/
    assert.ok(wrapped.test('203.0.113.7'))
    const issues = await issuesOf(file(config('    ignoreregex: [\'x)|(.*\']\n', 'from <ip>')), userEnv(dir))
    assert.equal(issues.length, 1, issues.join('\n'))
    assert.match(issues[0], /patterns\.ip\.ignoreregex\.0: invalid regex: Unmatched '\)'/)
  })

  test('a pattern regex `a)|(b` cannot break out of its named group', async () => {
    const issues = await issuesOf(file(config('  user:\n    regex: \'a)|(.*\'\n', 'user <user> from <ip>')), userEnv(dir))
    assert.match(issues.join('\n'), /patterns\.user\.regex: invalid regex: Unmatched '\)'/)
  })

  test('a filter regex closing the branch (`x)|(.*<ip>`) is refused, not combined', async () => {
    const issues = await issuesOf(file(config('', 'x)|(.*<ip>')), userEnv(dir))
    assert.equal(issues.length, 1, issues.join('\n'))
    assert.match(issues[0], /streams\.s\.filters\.f\.regex\.0: invalid regex: Unmatched '\)'/)
  })
})

/**
 * reaction's configs are written in Go's (then Rust's) regex syntax. Each row loads a real config
 * file with that regex and runs the compiled filter: the line that must match does, with the right
 * address, and the one that must not does not — a regex that loads and silently never matches
 * fails here. Rows that JavaScript cannot express are refused with a located error.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { compileFilter } from '../../../src/detect/index.ts'
import { translateRegex } from '../../../src/config/regex-dialect.ts'
import { issuesOf, load, tempDir, userEnv } from './helpers.ts'

const T = Date.UTC(2026, 0, 1)
const { dir, write } = tempDir()

function yaml (regex: string, extra = ''): string {
  return `patterns:\n  ip:\n    type: ip\n${extra}streams:\n  s:\n    cmd: [cat]\n    filters:\n      f:\n        regex: [${JSON.stringify(regex)}]\n        ban: 1h\n`
}

async function compiled (regex: string, extra = '') {
  const cfg = await load(write(`c${Math.random().toString(36).slice(2)}.yml`, yaml(regex, extra)), userEnv(dir))
  return compileFilter(cfg.streams.s.filters[0], cfg.patterns)
}

// [what, regex as written in a reaction config, line that matches (IP 203.0.113.7), line that must not]
const ROWS: Array<[string, string, string, string]> = [
  ['(?i) leading flag', '(?i)failed password from <ip>', 'FAILED Password from 203.0.113.7', 'failed passwd from 203.0.113.7'],
  ['(?i:…) group and (?-i)', '(?i:failed)(?-i) Password from <ip>', 'FaIlEd Password from 203.0.113.7', 'failed password from 203.0.113.7'],
  ['(?i) mid-regex, scoped to its group', 'a((?i)b)c <ip>', 'aBc 203.0.113.7', 'aBC 203.0.113.7'],
  ['(?i) on a class', '(?i)user [a-c]+ from <ip>', 'user AbC from 203.0.113.7', 'user d from 203.0.113.7'],
  ['(?P<name>…) group', 'user (?P<user>\\w+) from <ip>', 'user bob from 203.0.113.7', 'user  from 203.0.113.7'],
  ['\\A and \\z', '\\Afail <ip>\\z', 'fail 203.0.113.7', 'xfail 203.0.113.7'],
  ['[[:alnum:]] POSIX class', 'user [[:alnum:]]+ from <ip>', 'user b0b from 203.0.113.7', 'user b-b from 203.0.113.7'],
  ['[[:^space:]] negated POSIX class', 'user [[:^space:]]+ from <ip>', 'user b-b from 203.0.113.7', 'user  from 203.0.113.7'],
  ['[^[:digit:][:space:]] in a negated class', 'id=[^[:digit:][:space:]]+ <ip>', 'id=abc 203.0.113.7', 'id=12 203.0.113.7'],
  ['[[:punct:]] and [[:xdigit:]]', 'k[[:punct:]][[:xdigit:]]+ <ip>', 'k:ff 203.0.113.7', 'k:gg 203.0.113.7'],
  ['\\pL one-letter property', 'user \\pL+ from <ip>', 'user Éloïse from 203.0.113.7', 'user 123 from 203.0.113.7'],
  ['\\p{L} braced property', 'user \\p{L}+ from <ip>', 'user Жора from 203.0.113.7', 'user _ from 203.0.113.7'],
  ['\\PL negated property', 'code \\PL+ from <ip>', 'code 42 from 203.0.113.7', 'code ab from 203.0.113.7'],
  ['\\p{Greek} script', 'user \\p{Greek}+ from <ip>', 'user αβγ from 203.0.113.7', 'user abc from 203.0.113.7'],
  ['[\\p{Lu}\\d] property in a class', 'x [\\p{Lu}\\d]+ <ip>', 'x A9Ö 203.0.113.7', 'x a 203.0.113.7'],
  ['(?s) dot matches newline', '(?s)a.b <ip>', 'a\nb 203.0.113.7', 'ab 203.0.113.7'],
  ['(?m) line anchors', '(?m)^fail <ip>$', 'x\nfail 203.0.113.7\ny', 'x fail 203.0.113.7'],
  ['(?U) ungreedy', '(?U)from (.+)(?P<rest>\\d+\\.\\d+\\.\\d+\\.\\d+)? <ip>', 'from abc 203.0.113.7', 'from  203.0.113.7'],
  ['(?x) verbose', '(?x) fail \\  from \\  <ip>  # comment', 'fail from 203.0.113.7', 'failfrom 203.0.113.7'],
  ['[]a] — ] first is literal', 'k[]a]+ <ip>', 'k]a] 203.0.113.7', 'k 203.0.113.7'],
  ['\\Q…\\E literal text', '\\Q[x.*]\\E <ip>', '[x.*] 203.0.113.7', '[xyz] 203.0.113.7'],
  ['\\x{41} hex escape', '\\x{41}\\x42 <ip>', 'AB 203.0.113.7', 'xAB2 203.0.11'],
  ['(?i) with a pattern: the address still matches', '(?i)FROM <ip>', 'from 203.0.113.7', 'fro 203.0.113.7']
]

describe('regex dialect: reaction (Go/Rust) syntax loads and matches as written', () => {
  for (const [what, regex, yes, no] of ROWS) {
    test(what, async () => {
      const f = await compiled(regex)
      assert.equal(f.match(yes, T)?.ip, '203.0.113.7', `${JSON.stringify(regex)} should match ${JSON.stringify(yes)}`)
      assert.equal(f.match(no, T), null, `${JSON.stringify(regex)} should not match ${JSON.stringify(no)}`)
    })
  }

  test('ignoreregex and a pattern regex are translated too', async () => {
    const f = await compiled('user <name> from <ip>', '  name:\n    regex: \'[[:lower:]]+\'\n    ignoreregex: [\'(?i)ROOT\']\n')
    assert.equal(f.match('user zed from 203.0.113.7', T)?.values.name, 'zed')
    assert.equal(f.match('user root from 203.0.113.7', T), null)
    assert.equal(f.match('user Zed from 203.0.113.7', T), null)
  })

  test('a plain JavaScript regex comes out unchanged', () => {
    for (const r of ['^(?:(?<a>x)|\\k<a>)(?<!y)(?=z)[^\\]\\-a-z\\d]*?\\u0041\\x41\\t\\.\\/$', 'from <ip> port \\d+', '(?:a|b){2,3}c{1}']) {
      assert.deepEqual(translateRegex(r, { placeholders: true }), { ok: true, source: r })
    }
  })
})

// [regex, what the error must say]
const REFUSED: Array<[string, RegExp]> = [
  ['fail \\Z<ip>', /`\\Z` is not supported: use `\\z`/],
  ['fail \\y <ip>', /unknown escape `\\y`/],
  ['fail \\C <ip>', /unknown escape `\\C`/],
  ['(?i)(?<u>a)\\k<u> <ip>', /backreference cannot be case-insensitive/],
  ['[[:alphanum:]] <ip>', /unknown POSIX class `\[:alphanum:\]`; known: alnum/],
  ['\\p{Klingon} <ip>', /unknown Unicode property `Klingon`/],
  ['a++ <ip>', /possessive quantifiers are not supported/],
  ['[a-z&&[^aeiou]] <ip>', /class intersection/],
  ['(?Z)a <ip>', /unknown group syntax/],
  ['\\1 <ip>', /numbered backreference/],
  ['\\012 <ip>', /octal escapes/]
]

describe('regex dialect: what JavaScript cannot express is refused at load, located', () => {
  for (const [regex, reason] of REFUSED) {
    test(JSON.stringify(regex), async () => {
      const file = write(`r${Math.random().toString(36).slice(2)}.yml`, yaml(regex))
      const issues = await issuesOf(file, userEnv(dir))
      assert.equal(issues.length, 1, issues.join('\n'))
      assert.match(issues[0], /\.yml:9:17: streams\.s\.filters\.f\.regex\.0: invalid regex: /)
      assert.match(issues[0], reason)
    })
  }
})

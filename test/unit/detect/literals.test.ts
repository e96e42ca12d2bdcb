import { test } from 'node:test'
import assert from 'node:assert/strict'
import { commonPrefix, compilePrefilter, mayMatch, prefilterLiterals, requiredLiterals } from '../../../src/detect/literals.ts'

test('required literals: the longest mandatory run, never text under a quantifier or inside an optional group', () => {
  assert.deepEqual(requiredLiterals('Failed \\S+ for .* from (?<p>x) port'), ['Failed '])
  assert.deepEqual(requiredLiterals('(?:error: )?Disconnecting: Too many'), ['Disconnecting: Too many'])
  assert.deepEqual(requiredLiterals('abcde?f'), ['abcd'], 'e? is optional')
  assert.deepEqual(requiredLiterals('(?:Invalid|Illegal) user .* from'), ['Invalid user ', 'Illegal user '])
  assert.equal(requiredLiterals('a|bcdef'), null, 'top-level alternation has no mandatory literal')
  assert.equal(requiredLiterals('\\x41\\x42\\x43'), null, 'escapes we do not model give no prefilter')
  assert.equal(requiredLiterals('ab.cd'), null, 'nothing of 3 characters')
  assert.deepEqual(requiredLiterals('\\[client \\d+\\]'), ['[client '])
})

test('prefilter: one literal per branch, implied ones dropped; any branch without one disables it', () => {
  assert.deepEqual(prefilterLiterals(['Failed password', 'Failed publickey', 'Invalid user']), ['Invalid user', 'Failed password', 'Failed publickey'])
  assert.deepEqual(prefilterLiterals(['xx Failed yy', 'Failed']), ['Failed'])
  assert.equal(prefilterLiterals(['Failed', '.*']), null)
})

test('common prefix: whole units only, never cut before a quantifier or inside a group', () => {
  const P = '^(?:\\S+ sshd\\[\\d+\\]: )?'
  assert.equal(commonPrefix([`${P}Failed`, `${P}Invalid`]), `${P}`)
  assert.equal(commonPrefix(['abc?', 'abc']), 'ab', 'the shared "abc" would take c away from its quantifier')
  assert.equal(commonPrefix(['abc?', 'abd']), 'ab')
  assert.equal(commonPrefix(['(?:ab)c', '(?:ab)d']), '(?:ab)')
  assert.equal(commonPrefix(['(?:abc', '(?:abd']), '', 'never inside an open group')
  assert.equal(commonPrefix(['ab|c', 'ab']), '', 'top-level alternation')
})

test('compiled prefilter: literals taken literally, none means nothing may match, null means no prefilter', () => {
  const p = compilePrefilter(['[client ', 'a.b*c', 'x|y', '(?:'])
  assert.equal(mayMatch('GET [client 1.2.3.4]', p), true)
  assert.equal(mayMatch('a.b*c', p), true)
  assert.equal(mayMatch('axb*c', p), false, '. is not a wildcard')
  assert.equal(mayMatch('x', p), false, '| is not an alternation')
  assert.equal(mayMatch('x|y', p), true)
  assert.equal(mayMatch('(?:', p), true)
  assert.equal(mayMatch('anything', compilePrefilter([])), false)
  assert.equal(mayMatch('anything', compilePrefilter(null)), true)
})

test('required literals: a mandatory group of alternatives that are regexes gives one literal per alternative', () => {
  // sshd's link forget line: without this the whole filter had no prefilter and every line was matched
  assert.deepEqual(requiredLiterals('(?:Connection (?:closed|reset)|Disconnected) (?:by|from) x'), ['Connection ', 'Disconnected'])
  assert.deepEqual(requiredLiterals('(?<verb>open|write) failed'), [' failed'], 'a longer run after the group wins')
  assert.equal(requiredLiterals('(?:abcd(?:x|y)|efgh)?zz'), null, 'an optional group gives nothing')
  assert.equal(requiredLiterals('(?:abcd|e.f)zz'), null, 'an alternative without a literal gives nothing')
  assert.equal(requiredLiterals('(?=abcd)x'), null, 'a lookahead is not consumed text')
  for (const line of ['Connection closed by 192.0.2.1 x', 'Disconnected from 192.0.2.1 x']) {
    assert.ok(/(?:Connection (?:closed|reset)|Disconnected) (?:by|from) (?:\S+) x/.test(line))
    assert.ok(mayMatch(line, compilePrefilter(prefilterLiterals(['(?:Connection (?:closed|reset)|Disconnected) (?:by|from) (?:\\S+) x']))))
  }
})

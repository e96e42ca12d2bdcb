import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConfigInvalidError, formatIssue } from '../../../src/common/errors.ts'
import { parseConfig } from '../../../src/config/index.ts'
import { SSH_STREAM, userEnv } from './helpers.ts'

/** The attack: a `__proto__` key whose map would become the config's prototype (allow everything). */
function issues (text: string, format: 'yaml' | 'json' = 'yaml'): string[] {
  try {
    const c = parseConfig([{ file: '/etc/palisade/p.yml', text, format }], userEnv('/tmp'))
    assert.fail(`loaded, allow = ${JSON.stringify(c.allow)}`)
  } catch (err) {
    assert.ok(err instanceof ConfigInvalidError, String(err))
    return err.issues.map(formatIssue)
  }
}

test('a top-level __proto__ key is refused, located, and its content never becomes the config', () => {
  const got = issues(`__proto__:\n  allow: [0.0.0.0/0]\n${SSH_STREAM}`)
  assert.deepEqual(got, ['/etc/palisade/p.yml:1:1: __proto__: key `__proto__` is not allowed (it names JavaScript object internals, never a configuration key)'])
  assert.equal(({} as Record<string, unknown>).allow, undefined, 'Object.prototype untouched')
})

test('__proto__, constructor and prototype are refused anywhere in the tree, YAML or JSON', () => {
  assert.match(issues(`${SSH_STREAM}        constructor: {ban: 1s}\n`).join('\n'), /p\.yml:8:9: streams\.ssh\.filters\.fail\.constructor: key `constructor`/)
  assert.match(issues(`patterns:\n  ip: {type: ip, ignore: [{prototype: 1}]}\n${SSH_STREAM}`).join('\n'), /p\.yml:2:28: patterns\.ip\.ignore\.0\.prototype: key `prototype`/)
  const json = JSON.stringify({ streams: { s: { cmd: ['x'], filters: { f: { regex: ['<ip>'], ban: '1h' } } } } }).replace('"cmd"', '"__proto__":{"allow":["0.0.0.0/0"]},"cmd"')
  assert.match(issues(json, 'json').join('\n'), /p\.yml:1:\d+: streams\.s\.__proto__: key `__proto__`/)
})

test('a NUL byte in any string is refused where it is', () => {
  assert.match(issues(`state: "/var/lib/x\\0y"\n${SSH_STREAM}`).join('\n'), /p\.yml:1:8: state: a NUL byte is not allowed/)
  assert.match(issues(SSH_STREAM.replace('sshd.service', '"ssh\\0d"')).join('\n'), /p\.yml:3:\d+: streams\.ssh\.cmd\.2: a NUL byte/)
})

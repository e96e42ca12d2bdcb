/**
 * The config loader on random YAML and JSON trees: whatever the text, it loads or fails with a
 * ConfigInvalidError whose every issue is located (file, or file:line:col) with a dotted path;
 * any other throw is a bug. Keys that name object internals sit among the random keys, and no
 * input may change Object.prototype or smuggle a key through a prototype.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { stringify } from 'yaml'
import { ConfigInvalidError } from '../../src/common/errors.ts'
import { parseConfig } from '../../src/config/index.ts'
import { Issues } from '../../src/config/issues.ts'
import { merge } from '../../src/config/merge.ts'
import { parseSources } from '../../src/config/source.ts'
import { fuzzOptions } from './budget.ts'

const KEYS = ['streams', 'patterns', 'filters', 'regex', 'ban', 'retry', 'retryperiod', 'cmd', 'type', 'ip', 'allow', 'firewall', 'table',
  'socket', 'state', 'trust', 'escalation', 'max', 'preset', 'actions', 'after', '__proto__', 'constructor', 'prototype', 's', 'f']
const SCALARS = ['<ip>', 'ip', '1h', '1000d', '1001d', '10', 'sshd', 'nftables', 'none', '0.0.0.0/0', '::1.2.3.4', '(a)\\1 <ip>', 'x\0y', '']

const tree = fc.letrec<{ node: unknown, map: unknown }>(tie => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...SCALARS), fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null),
    fc.array(tie('node'), { maxLength: 3 }), tie('map')),
  map: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 5 })), tie('node')), { maxLength: 4 })
    .map(pairs => ({ pairs }))
})).map
const m = (...pairs: Array<[string, unknown]>): MapNode => ({ pairs })
const VALID: Array<[string, unknown]> = [
  ['streams', m(['s', m(['cmd', ['x']], ['filters', m(['f', m(['regex', ['<ip>']], ['ban', '1h'])])])])],
  ['patterns', m(['ip', m(['type', 'ip'])])]
]

interface MapNode { pairs: Array<[string, unknown]> }

function isMap (t: unknown): t is MapNode {
  return typeof t === 'object' && t !== null && Array.isArray((t as MapNode).pairs)
}

/** JSON text with keys written as given (duplicates and `__proto__` included), never through an object. */
function toJson (t: unknown): string {
  if (isMap(t)) return '{' + t.pairs.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',') + '}'
  if (Array.isArray(t)) return '[' + t.map(toJson).join(',') + ']'
  return JSON.stringify(t) ?? 'null'
}

function toYaml (t: unknown, indent = ''): string {
  if (isMap(t)) return t.pairs.length === 0 ? '{}' : t.pairs.map(([k, v]) => `\n${indent}${JSON.stringify(k)}: ${toYaml(v, indent + '  ')}`).join('')
  if (Array.isArray(t)) return t.length === 0 ? '[]' : t.map(v => `\n${indent}- ${toYaml(v, indent + '  ')}`).join('')
  return stringify(t).trimEnd()
}

const config = fc.tuple(tree, fc.boolean(), fc.boolean()).map(([extra, withValid, asJson]) => {
  const root: MapNode = { pairs: [...(withValid ? VALID : []), ...(isMap(extra) ? extra.pairs : [])] }
  return asJson ? { file: '/c.json', format: 'json' as const, text: toJson(root) } : { file: '/c.yml', format: 'yaml' as const, text: toYaml(root) }
})

test('random configuration trees: a Config or located issues, never another throw, never a prototype touched', () => {
  fc.assert(fc.property(config, src => {
    try {
      const c = parseConfig([src], { isRoot: false, cwd: '/tmp' })
      assert.ok(Object.isFrozen(c))
      assert.equal(Object.getPrototypeOf(c), Object.prototype)
    } catch (err) {
      assert.ok(err instanceof ConfigInvalidError, `threw ${String(err)} for ${src.text}`)
      assert.ok(err.issues.length > 0)
      for (const i of err.issues) {
        assert.match(i.where, /^\/c\.(json|yml)(:\d+:\d+)?$/, `unlocated issue ${JSON.stringify(i)}`)
        assert.equal(typeof i.path, 'string')
      }
    }
    assert.equal(Object.keys(Object.prototype).length, 0)
    assert.equal(({} as Record<string, unknown>).allow, undefined)
  }), fuzzOptions(3_000))
})

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype'])

function ownKeysDeep (v: unknown, out: string[] = []): string[] {
  if (v !== null && typeof v === 'object') {
    for (const k of Reflect.ownKeys(v)) { if (typeof k === 'string') { out.push(k); ownKeysDeep((v as Record<string, unknown>)[k], out) } }
    const proto = Object.getPrototypeOf(v)
    if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) out.push('<foreign prototype>')
  }
  return out
}

test('the parse and merge stages alone, many more trees: no throw, no forbidden key or foreign prototype past them', () => {
  fc.assert(fc.property(fc.array(config, { minLength: 1, maxLength: 3 }), sources => {
    const issues = new Issues()
    const parsed = parseSources(sources.map((s, i) => ({ ...s, file: `/c${i}.${s.format === 'json' ? 'json' : 'yml'}` })), issues)
    const merged = merge(parsed, issues)
    for (const k of ownKeysDeep(merged.value)) assert.ok(!FORBIDDEN.has(k) && k !== '<foreign prototype>', `${k} reached the merged value`)
    for (const i of issues.list) assert.equal(typeof i.message, 'string')
    assert.equal(Object.keys(Object.prototype).length, 0)
  }), fuzzOptions(10_000))
})

/**
 * The daemon checks socket arguments against each verb's compiled schema (arg-schemas.ts) instead
 * of loading zod: on random arguments (the schemas' own keys and bounds, and others) both must
 * accept and refuse the same values; the compiled file must match the zod schemas it comes from.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import * as z from 'zod'
import { argSchemasSource } from '../../../src/cli/cli-doc.ts'
import { checkArgs } from '../../../src/control/commands/arg-check.ts'
import { ARG_SCHEMAS } from '../../../src/control/commands/arg-schemas.ts'
import { loadAll } from '../../../src/control/commands/table.ts'
import { fuzzOptions } from '../../fuzz/budget.ts'

test('src/control/commands/arg-schemas.ts is compiled from the current zod schemas (node scripts/cli-doc.ts --write)', async () => {
  const committed = readFileSync(join(import.meta.dirname, '../../../src/control/commands/arg-schemas.ts'), 'utf8')
  assert.equal(committed, await argSchemasSource())
})

// values around every bound the schemas use (lengths 0..1100, integers 0..1000 and the safe limit)
const str = fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: 60, max: 1100 }).map(n => 'x'.repeat(n)),
  fc.constantFrom('txt', 'json', 'nft', 'xml', ''))
const scalar = fc.oneof(str, fc.integer({ min: -2, max: 1002 }),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 53, 0.5, -0),
  fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null))
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 70 }),
  fc.dictionary(fc.oneof(fc.string({ maxLength: 4 }), fc.constant('y'.repeat(65))), scalar, { maxKeys: 3 }))

test('the compiled schema and zod accept and refuse the same arguments', async () => {
  for (const { impl } of await loadAll()) {
    if (impl.socket === undefined) continue
    const verb = impl.socket.verb
    const schema = impl.socket.schema(z)
    const compiled = ARG_SCHEMAS[verb]
    const names = Object.keys(compiled.properties ?? {})
    const args = fc.dictionary(fc.oneof(fc.constantFrom(...names, 'bogus'), fc.string({ maxLength: 3 })), value, { maxKeys: 4 })
    fc.assert(fc.property(fc.oneof(args, value), a => {
      const problem = checkArgs(compiled, a)
      assert.equal(problem === null, schema.safeParse(a).success, `${verb} ${JSON.stringify(a).slice(0, 200)}: ${problem}`)
    }), fuzzOptions(3000))
  }
})

test('a refusal names the argument and what was expected', () => {
  assert.equal(checkArgs(ARG_SCHEMAS.show, { offset: -1 }), 'argument offset: out of 0..')
  assert.equal(checkArgs(ARG_SCHEMAS.show, { limit: 'x' }), 'argument limit: expected an integer, got string')
  assert.equal(checkArgs(ARG_SCHEMAS.ban, {}), 'argument ip: missing')
  assert.equal(checkArgs(ARG_SCHEMAS.ban, { ip: '192.0.2.1', bogus: 1 }), 'arguments: unknown argument "bogus"')
  assert.equal(checkArgs(ARG_SCHEMAS.trigger, { filter: 's.f', values: { ip: 7 } }), 'argument values.ip: expected a string, got number')
  assert.equal(checkArgs(ARG_SCHEMAS.feed, { format: 'xml' }), 'argument format: one of "txt", "json", "nft"')
  assert.equal(checkArgs(ARG_SCHEMAS.show, []), 'arguments: expected an object, got an array')
  assert.equal(checkArgs(ARG_SCHEMAS.unban, { bogus: 1 }), 'argument ip: missing; arguments: unknown argument "bogus"')
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isIP } from 'node:net'
import fc from 'fast-check'
import { isDottedQuad } from '../../../src/common/ip.ts'

test('isDottedQuad accepts exactly what isIP calls IPv4', () => {
  const cases = ['1.2.3.4', '0.0.0.0', '255.255.255.255', '256.1.1.1', '01.2.3.4', '1.2.3.04', '1.2.3', '1.2.3.4.5',
    '1..2.3', '.1.2.3', '1.2.3.', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.4\n', '١.2.3.4', '1.2.3.255', '1.2.3.256', '00.1.1.1',
    '0.0.0.00', '1.2.3.4a', '::1', '1e1.2.3.4', '+1.2.3.4', '1.2.3.-4', '1234.1.1.1', '199.99.9.0']
  for (const c of cases) assert.equal(isDottedQuad(c), isIP(c) === 4, c)
  const part = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('', '0', '00', '01', '099', '1a', ' 1', '٣'))
  const sep = fc.constantFrom('.', '.', '.', ':', ',')
  fc.assert(fc.property(fc.array(part, { minLength: 1, maxLength: 6 }), sep, (parts, sep) => {
    const s = parts.join(sep)
    assert.equal(isDottedQuad(s), isIP(s) === 4, s)
  }), { numRuns: 20000 })
  const same = (s: string): void => assert.equal(isDottedQuad(s), isIP(s) === 4, s)
  fc.assert(fc.property(fc.string({ maxLength: 16 }), same), { numRuns: 20000 })
})

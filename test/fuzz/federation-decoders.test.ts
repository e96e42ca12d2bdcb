/**
 * The federation decoders on hostile bytes: an observation (wire v1), its canonical CBOR map and
 * a sync request. Each either returns a checked value or throws its typed error, never anything
 * else; a mutated observation never passes its signature check.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decode, encode } from 'cborg'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { PalisadeError } from '../../src/common/errors.ts'
import { parseCanonical } from '../../src/federation/canonical.ts'
import { identityFromKey, publicKeyOf, verifierKey, verifyWith } from '../../src/federation/identity.ts'
import {
  decodeObservation,
  encodeObservation,
  MAX_OBSERVATION_BYTES,
  type Observation
} from '../../src/federation/observation.ts'
import { parseRequest } from '../../src/federation/sync.ts'
import { fuzzOptions } from './budget.ts'

const me = identityFromKey(await generateKeyPair('Ed25519'))
const key = verifierKey(publicKeyOf(me.id)!)
const good: Observation = {
  v: 1,
  kind: 'ban',
  ip: '203.0.113.7',
  filter: 'ssh.failedlogin',
  count: 3,
  observedAt: 1_790_000_000_000,
  ttl: 86_400_000,
  author: me.id,
  seq: 42
}
const wire = encodeObservation(good, me.sign)

function decodeErrorOnly (fn: () => unknown): unknown {
  try {
    return fn()
  } catch (err) {
    assert.ok(err instanceof PalisadeError, `threw ${String(err)}`)
    assert.equal(err.code, 'PAL_ERR_FED_DECODE')
    return undefined
  }
}

// a valid header around random CBOR, so the fuzz reaches the map reader and the value checks
const framed = fc.uint8Array({ minLength: 1, maxLength: 400 }).map(body => {
  const out = new Uint8Array(3 + body.length + 64)
  out[0] = 1
  out[1] = body.length >> 8
  out[2] = body.length & 0xff
  out.set(body, 3)
  return out
})
const fieldValue = fc.oneof(
  fc.nat(),
  fc.maxSafeNat(),
  fc.string({ maxLength: 70 }),
  fc.constantFrom('ban', 'retract', '203.0.113.7', '::1.2.3.4', me.id, 1, 0)
)
const cborObservation = fc
  .record(
    {
      v: fieldValue,
      kind: fieldValue,
      ip: fieldValue,
      filter: fieldValue,
      count: fieldValue,
      observedAt: fieldValue,
      ttl: fieldValue,
      author: fieldValue,
      seq: fieldValue
    },
    { requiredKeys: [] }
  )
  .map(o => encode(o))

test('decodeObservation: random bytes and random maps throw PAL_ERR_FED_DECODE or decode to checked values', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: MAX_OBSERVATION_BYTES + 8 }),
        framed,
        cborObservation.map(c => {
          const out = new Uint8Array(3 + c.length + 64)
          out.set([1, c.length >> 8, c.length & 0xff])
          out.set(c, 3)
          return out
        })
      ),
      bytes => {
        const d = decodeErrorOnly(() => decodeObservation(bytes)) as ReturnType<typeof decodeObservation> | undefined
        if (d === undefined) return
        assert.ok(d.obs.kind === 'ban' || d.obs.kind === 'retract')
        assert.ok(Number.isSafeInteger(d.obs.seq) && d.obs.seq >= 1)
        assert.equal(verifyWith(key, d.signed, d.signature), false, 'random bytes never carry a valid signature')
      }
    ),
    fuzzOptions(100_000)
  )
})

test('a mutated observation never passes: decode refuses it or its signature fails', () => {
  assert.equal(verifyWith(key, decodeObservation(wire).signed, decodeObservation(wire).signature), true)
  const mutation = fc.array(fc.tuple(fc.nat({ max: wire.length - 1 }), fc.integer({ min: 1, max: 255 })), {
    minLength: 1,
    maxLength: 4
  })
  fc.assert(fc.property(mutation, flips => {
    const bytes = Uint8Array.from(wire)
    for (const [at, x] of flips) bytes[at] ^= x
    if (bytes.every((b, i) => b === wire[i])) return
    const d = decodeErrorOnly(() => decodeObservation(bytes)) as ReturnType<typeof decodeObservation> | undefined
    if (d !== undefined) assert.equal(verifyWith(key, d.signed, d.signature), false, 'mutated message accepted')
  }), fuzzOptions(20_000))
})

test('parseCanonical: random bytes only ever give PAL_ERR_FED_DECODE; cborg\'s canonical encoding of the schema always parses back', () => {
  fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), cborObservation), bytes => {
    decodeErrorOnly(() => parseCanonical(bytes, 0, bytes.length))
  }), fuzzOptions(100_000))
  const schema = fc.record({
    v: fc.nat(),
    ip: fc.string({ maxLength: 40 }),
    seq: fc.maxSafeNat(),
    ttl: fc.nat(),
    kind: fc.string({ maxLength: 8 }),
    count: fc.nat(),
    author: fc.string({ maxLength: 60 }),
    filter: fc.string({ maxLength: 64 }),
    observedAt: fc.maxSafeNat()
  })
  fc.assert(
    fc.property(
      schema.filter(o => Object.values(o).every(v => typeof v !== 'string' || /^\p{ASCII}*$/u.test(v))),
      o => {
        const bytes = encode(o)
        assert.deepEqual({ ...parseCanonical(bytes, 0, bytes.length) }, { ...o })
      }
    ),
    fuzzOptions(20_000)
  )
})

const hostileKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', me.id),
  fc.string({ maxLength: 12 })
)
const range = fc.oneof(fc.tuple(fc.integer(), fc.integer()), fc.anything({ maxDepth: 1 }))
const requestValue = fc.oneof(
  fc.anything({ maxDepth: 2, maxKeys: 4, withNullPrototype: true }),
  fc.record({
    v: fc.oneof(fc.constant(1), fc.anything({ maxDepth: 0 })),
    have: fc.oneof(
      fc.dictionary(hostileKey, fc.oneof(fc.array(range, { maxLength: 6 }), fc.anything({ maxDepth: 1 }))),
      fc.anything({ maxDepth: 1 })
    )
  }),
  fc.uint8Array({ maxLength: 80 }).map(b => {
    try {
      return decode(b)
    } catch {
      return undefined
    }
  })
)

test('sync parseRequest: hostile requests give a typed refusal or ranges of integer pairs, never a prototype', () => {
  fc.assert(fc.property(requestValue, value => {
    let have: ReturnType<typeof parseRequest>
    try {
      have = parseRequest(value)
    } catch (err) {
      assert.ok(err instanceof Error && ['malformed', 'too-many-ranges'].includes((err as Error & { reason?: string }).reason ?? ''), `threw ${String(err)}`)
      return
    }
    assert.equal(Object.getPrototypeOf(have), null)
    for (const ranges of Object.values(have)) {
      assert.ok(Array.isArray(ranges))
      for (const r of ranges) assert.ok(r.length === 2 && Number.isSafeInteger(r[0]) && Number.isSafeInteger(r[1]))
    }
    assert.equal(Object.keys(Object.prototype).length, 0)
  }), fuzzOptions(100_000))
})

import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { encode } from 'cborg'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { encodeObservation, decodeObservation, type Observation } from '../../../src/federation/observation.ts'
import { publicKeyOf } from '../../../src/trust/index.ts'
import { vectorIdentity, vectorObservations } from '../../fixtures/observations/vectors-lib.ts'

const vectors = JSON.parse(readFileSync(new URL('../../fixtures/observations/vectors.json', import.meta.url), 'utf8')) as {
  author: string, vectors: Array<{ fields: Observation, hex: string, signatureHex: string }>
}
const id = await vectorIdentity()

/** Wrap arbitrary cbor bytes in a correctly signed v1 envelope. */
function envelope (cbor: Uint8Array, version = 1): Uint8Array {
  const head = Uint8Array.from([version, cbor.length >> 8, cbor.length & 0xff])
  const signed = Buffer.concat([head, cbor])
  return Buffer.concat([signed, id.sign(signed)])
}

function code (fn: () => unknown): string {
  try { fn() } catch (err) { return (err as { code: string }).code }
  return 'no error'
}

describe('observation codec', () => {
  test('vectors: encoding is byte-identical and decodes to the pinned fields', () => {
    assert.equal(vectors.author, id.id)
    const fields = vectorObservations(id.id)
    assert.equal(vectors.vectors.length, fields.length)
    for (const [i, v] of vectors.vectors.entries()) {
      assert.equal(Buffer.from(encodeObservation(fields[i], id.sign)).toString('hex'), v.hex, `vector ${i}`)
      const d = decodeObservation(Buffer.from(v.hex, 'hex'))
      assert.deepEqual({ ...d.obs }, v.fields)
      assert.equal(Buffer.from(d.signature).toString('hex'), v.signatureHex)
    }
  })

  test('signatures verify with @libp2p/crypto (interop with node:crypto signing)', async () => {
    const pub = publicKeyFromRaw(publicKeyOf(id.id)!)
    for (const v of vectors.vectors) {
      const d = decodeObservation(Buffer.from(v.hex, 'hex'))
      assert.equal(await pub.verify(d.signed, d.signature), true)
    }
  })

  test('round trip', () => {
    for (const obs of vectorObservations(id.id)) {
      assert.deepEqual({ ...decodeObservation(encodeObservation(obs, id.sign)).obs }, obs)
    }
  })

  test('size cap is checked before anything else', () => {
    assert.equal(code(() => decodeObservation(new Uint8Array(1025).fill(0xff))), 'PAL_ERR_FED_DECODE')
    assert.match(
      String(
        (() => {
          try {
            decodeObservation(new Uint8Array(1025))
          } catch (e) {
            return (e as Error).message
          }
        })()
      ),
      /over 1024/
    )
  })

  test('strict decode refuses malformed messages', () => {
    const good = vectorObservations(id.id)[0]
    const bad: Array<[string, Uint8Array]> = [
      ['garbage', Buffer.from('hello world, this is not an observation at all'.repeat(3))],
      ['wrong version', envelope(encode(good), 2)],
      ['extra field', envelope(encode({ ...good, extra: 1 }))],
      ['missing field', envelope(encode({ ...good, seq: undefined }))],
      ['non-canonical ip', envelope(encode({ ...good, ip: '2001:DB8::1' }))],
      ['ip with host bits', envelope(encode({ ...good, ip: '198.51.100.7/24' }))],
      ['octal-looking ip', envelope(encode({ ...good, ip: '0x7f.1' }))],
      ['bad filter', envelope(encode({ ...good, filter: 'a b' }))],
      ['long filter', envelope(encode({ ...good, filter: 'a'.repeat(65) }))],
      ['count 0', envelope(encode({ ...good, count: 0 }))],
      ['count too big', envelope(encode({ ...good, count: 1_000_001 }))],
      ['ttl over a year', envelope(encode({ ...good, ttl: 366 * 86_400_000 }))],
      ['seq 0', envelope(encode({ ...good, seq: 0 }))],
      ['float seq', envelope(encode({ ...good, seq: 1.5 }))],
      ['kind', envelope(encode({ ...good, kind: 'unban' }))],
      ['author not a peer id', envelope(encode({ ...good, author: 'alice' }))],
      ['not a map', envelope(encode([1, 2, 3]))]
    ]
    for (const [name, bytes] of bad) assert.equal(code(() => decodeObservation(bytes)), 'PAL_ERR_FED_DECODE', name)
  })

  test('non-deterministic CBOR (unsorted keys) is refused', () => {
    const good = vectorObservations(id.id)[0]
    const cbor = encode(good, { mapSorter: (a: any, b: any) => (a[0].value < b[0].value ? 1 : -1) })
    assert.notDeepEqual(cbor, encode(good))
    assert.equal(code(() => decodeObservation(envelope(cbor))), 'PAL_ERR_FED_DECODE')
  })

  test('length field must match', () => {
    const bytes = Buffer.from(vectors.vectors[0].hex, 'hex')
    bytes[2] ^= 1
    assert.equal(code(() => decodeObservation(bytes)), 'PAL_ERR_FED_DECODE')
  })

  test('encode refuses an invalid observation', () => {
    assert.equal(
      code(() => encodeObservation({ ...vectorObservations(id.id)[0], ip: '10.0.0.300' }, id.sign)),
      'PAL_ERR_FED_DECODE'
    )
  })
})

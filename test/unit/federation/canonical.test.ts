import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { decode, encode } from 'cborg'
import { decodeObservation, type Observation } from '../../../src/federation/observation.ts'
import { parseSubject } from '../../../src/common/ip.ts'
import { publicKeyOf } from '../../../src/trust/index.ts'
import { vectorIdentity, vectorObservations } from '../../fixtures/observations/vectors-lib.ts'

/**
 * The schema-bound reader (src/federation/canonical.ts) must accept exactly what the previous
 * definition accepted: cborg strict decode, field checks, and re-encoding to the same bytes.
 * That definition is the oracle here; thousands of valid and mutated encodings go through both.
 */
const FIELDS = ['author', 'count', 'filter', 'ip', 'kind', 'observedAt', 'seq', 'ttl', 'v']

function oracle (cbor: Uint8Array): Observation | 'refused' {
  let o: Record<string, unknown>
  try {
    o = decode(cbor, {
      strict: true,
      allowIndefinite: false,
      allowUndefined: false,
      allowBigInt: false,
      rejectDuplicateMapKeys: true
    })
  } catch { return 'refused' }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return 'refused'
  const keys = Object.keys(o).sort()
  if (keys.length !== FIELDS.length || keys.some((k, i) => k !== FIELDS[i])) return 'refused'
  const int = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x)
  if (o.v !== 1 || (o.kind !== 'ban' && o.kind !== 'retract')) return 'refused'
  if (typeof o.ip !== 'string' || o.ip.length > 64 || parseSubject(o.ip)?.text !== o.ip) return 'refused'
  if (typeof o.filter !== 'string' || !/^[A-Za-z0-9._:-]{1,64}$/.test(o.filter)) return 'refused'
  if (!int(o.count) || o.count < 1 || o.count > 1_000_000 || !int(o.observedAt) || o.observedAt < 0) return 'refused'
  if (!int(o.ttl) || o.ttl < 0 || o.ttl > 365 * 86_400_000 || !int(o.seq) || o.seq < 1) return 'refused'
  if (typeof o.author !== 'string' || publicKeyOf(o.author) === null) return 'refused'
  if (Buffer.compare(Buffer.from(encode(o)), Buffer.from(cbor)) !== 0) return 'refused'
  return o as unknown as Observation
}

function envelope (cbor: Uint8Array): Uint8Array {
  return Buffer.concat([Uint8Array.from([1, cbor.length >> 8, cbor.length & 0xff]), cbor, new Uint8Array(64)])
}

function subject (cbor: Uint8Array): Observation | 'refused' {
  try {
    return { ...decodeObservation(envelope(cbor)).obs }
  } catch (err) {
    assert.equal((err as { code?: string }).code, 'PAL_ERR_FED_DECODE')
    return 'refused'
  }
}

/** deterministic PRNG: a failure reproduces */
function rng (seed: number): () => number {
  let s = seed >>> 0
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32 }
}

describe('canonical observation reader', async () => {
  const id = await vectorIdentity()
  const rand = rng(7)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]
  const ints = [0, 1, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 1767225600000, Number.MAX_SAFE_INTEGER]
  const valid = (): Observation => ({
    v: 1,
    kind: pick(['ban', 'retract'] as const),
    ip: pick(['203.0.113.7', '10.0.0.0/8', '2001:db8::1', '2001:db8:1:2::/64', 'fe80::/10', '0.0.0.0']),
    filter: pick(['a', 'ssh.failedlogin', 'x'.repeat(23), 'y'.repeat(24), 'z'.repeat(64)]),
    count: pick([1, 23, 24, 1000, 1_000_000]),
    observedAt: pick(ints),
    ttl: pick([0, 24, 3_600_000, 365 * 86_400_000]),
    author: id.id,
    seq: pick(ints.filter(i => i > 0))
  })

  test('every valid observation reads back identical', () => {
    for (const obs of [...vectorObservations(id.id), ...Array.from({ length: 500 }, valid)]) {
      const cbor = encode(obs)
      assert.notEqual(oracle(cbor), 'refused')
      assert.deepEqual(subject(cbor), obs)
    }
  })

  test('mutated encodings: same verdict as decode + field checks + re-encode', () => {
    let refused = 0
    for (let n = 0; n < 20_000; n++) {
      const bytes = Array.from(encode(valid()))
      const edits = 1 + Math.floor(rand() * 3)
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * (bytes.length + 1))
        const op = rand()
        if (op < 0.6) bytes[Math.min(at, bytes.length - 1)] = Math.floor(rand() * 256)
        else if (op < 0.8) bytes.splice(at, 0, Math.floor(rand() * 256))
        else bytes.splice(at, 1)
      }
      const cbor = Uint8Array.from(bytes)
      const want = oracle(cbor)
      if (want === 'refused') refused++
      assert.deepEqual(subject(cbor), want, Buffer.from(cbor).toString('hex'))
    }
    assert.ok(refused > 10_000, 'mutations mostly break the message')
  })

  test('crafted non-canonical forms are refused by both', () => {
    const obs = vectorObservations(id.id)[0]
    const good = Buffer.from(encode(obs))
    const vAt = good.indexOf(Buffer.from([0x61, 0x76])) + 2
    const variants: Array<[string, Uint8Array]> = [
      ['non-minimal int', Buffer.concat([good.subarray(0, vAt), Buffer.from([0x18, 0x01]), good.subarray(vAt + 1)])],
      ['float v', Buffer.concat([good.subarray(0, vAt), Buffer.from([0xf9, 0x3c, 0x00]), good.subarray(vAt + 1)])],
      ['tagged v', Buffer.concat([good.subarray(0, vAt), Buffer.from([0xc1, 0x01]), good.subarray(vAt + 1)])],
      ['indefinite map', Buffer.concat([Buffer.from([0xbf]), good.subarray(1), Buffer.from([0xff])])],
      ['trailing byte', Buffer.concat([good, Buffer.from([0x00])])],
      ['reverse key order', encode(obs, { mapSorter: (a: any, b: any) => (a[0].value < b[0].value ? 1 : -1) })],
      ['bytes for text', encode({ ...obs, filter: Buffer.from(obs.filter) })],
      ['negative count', encode({ ...obs, count: -3 })]
    ]
    for (const [name, cbor] of variants) {
      assert.equal(oracle(cbor), 'refused', name)
      assert.equal(subject(cbor), 'refused', name)
    }
  })
})

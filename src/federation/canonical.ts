import { ErrorCodes, palisadeError } from '../common/errors.ts'

/**
 * Schema-bound reader for the one CBOR shape an observation has, as cborg's deterministic
 * encoder writes it (RFC 8949 §4.2.3 "length-first" key order, minimal integer and length
 * heads). It accepts exactly those bytes, so an observation has one encoding (its message id
 * is the hash of the bytes) without a generic decode followed by a re-encode to compare — the
 * two cost ~14 µs per message, a tenth of the signature check. Anything else — other keys or
 * order, floats, negative or non-minimal integers, tags, indefinite lengths, non-ASCII text,
 * trailing bytes — is refused. Field values are range-checked by the caller (observation.ts).
 * test/unit/federation/canonical.test.ts checks it against cborg decode + re-encode.
 */
type FieldType = 'uint' | 'ascii'

/** key order of cborg's deterministic encoding: shorter keys first, then bytewise */
const SCHEMA: ReadonlyArray<readonly [string, FieldType]> = [
  ['v', 'uint'], ['ip', 'ascii'], ['seq', 'uint'], ['ttl', 'uint'], ['kind', 'ascii'],
  ['count', 'uint'], ['author', 'ascii'], ['filter', 'ascii'], ['observedAt', 'uint']
]
const MAP_HEAD = 0xa0 | SCHEMA.length
const KEY_BYTES: readonly Uint8Array[] = SCHEMA.map(([k]) => Uint8Array.from([0x60 | k.length, ...Buffer.from(k, 'ascii')]))
const MAJOR_UINT = 0
const MAJOR_TEXT = 3

/** Parse bytes[start, end) as an observation map; values are unchecked beyond their CBOR type. */
export function parseCanonical (bytes: Uint8Array, start: number, end: number): Record<string, unknown> {
  if (bytes[start] !== MAP_HEAD) throw notCanonical('not a map of the observation fields')
  let pos = start + 1
  const out: Record<string, unknown> = {}
  for (let f = 0; f < SCHEMA.length; f++) {
    const key = KEY_BYTES[f]
    if (pos + key.length > end) throw notCanonical('truncated')
    for (let i = 0; i < key.length; i++) {
      if (bytes[pos + i] !== key[i]) throw notCanonical(`expected field ${JSON.stringify(SCHEMA[f][0])} at byte ${pos - start}`)
    }
    pos += key.length
    const major = bytes[pos] >> 5
    const type = SCHEMA[f][1]
    if (major !== (type === 'uint' ? MAJOR_UINT : MAJOR_TEXT)) throw notCanonical(`field ${SCHEMA[f][0]} has CBOR major type ${major}`)
    // the head's argument: the integer itself, or the text length
    const arg = readArgument(bytes, pos, end)
    pos = arg.next
    if (type === 'uint') {
      out[SCHEMA[f][0]] = arg.value
    } else {
      if (pos + arg.value > end) throw notCanonical('truncated')
      out[SCHEMA[f][0]] = readAscii(bytes, pos, pos + arg.value)
      pos += arg.value
    }
  }
  if (pos !== end) throw notCanonical('trailing bytes after the map')
  return out
}

/** A minimal-length CBOR head argument (major types 0 and 3), as a safe integer. */
function readArgument (bytes: Uint8Array, pos: number, end: number): { value: number, next: number } {
  const info = bytes[pos] & 0x1f
  if (info < 24) return { value: info, next: pos + 1 }
  const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0
  if (size === 0) throw notCanonical(`unsupported CBOR head 0x${bytes[pos].toString(16)}`)
  if (pos + 1 + size > end) throw notCanonical('truncated')
  let value = 0
  for (let i = 1; i <= size; i++) value = value * 256 + bytes[pos + i]
  const min = size === 1 ? 24 : size === 2 ? 0x100 : size === 4 ? 0x10000 : 0x100000000
  if (value < min) throw notCanonical('integer or length not in its shortest form')
  // 8-byte values past 2^53 lose precision above; such a value is refused either way
  if (!Number.isSafeInteger(value)) throw notCanonical('integer beyond 2^53')
  return { value, next: pos + 1 + size }
}

function readAscii (bytes: Uint8Array, from: number, to: number): string {
  let s = ''
  for (let i = from; i < to; i++) {
    const b = bytes[i]
    // every text field is ASCII when valid; refusing other bytes keeps UTF-8 decoding out
    if (b > 0x7f) throw notCanonical('non-ASCII text')
    s += String.fromCharCode(b)
  }
  return s
}

function notCanonical (why: string): Error {
  return palisadeError(ErrorCodes.FED_DECODE, `observation rejected: CBOR is not the deterministic observation map (${why})`)
}

import { encode } from 'cborg'
import { ErrorCodes, palisadeError } from '../common/errors.ts'
import { parseSubject } from '../common/ip.ts'
import { publicKeyOf } from '../trust/index.ts'
import { parseCanonical } from './canonical.ts'

/**
 * Observation wire format, version 1 (docs/wire-format.md):
 *
 *   0x01 | u16 BE length of cbor | cbor (deterministic, sorted keys) | 64-byte Ed25519 signature
 *
 * The signature covers everything before it, so the version and length are authenticated too,
 * and any node can store and re-serve the bytes (sync) for others to verify.
 */
export const WIRE_VERSION = 0x01
export const MAX_OBSERVATION_BYTES = 1024
export const SIGNATURE_BYTES = 64
const HEADER_BYTES = 3
const MAX_TTL = 365 * 86_400_000
const MAX_COUNT = 1_000_000
const FILTER_RE = /^[A-Za-z0-9._:-]{1,64}$/
const FIELDS = ['author', 'count', 'filter', 'ip', 'kind', 'observedAt', 'seq', 'ttl', 'v'] as const

export type ObservationKind = 'ban' | 'retract'

export interface Observation {
  v: 1
  kind: ObservationKind
  /** canonical address or prefix text (common/ip.ts parseSubject) */
  ip: string
  filter: string
  count: number
  /** ms since epoch */
  observedAt: number
  /** ms the author asks the ban to last */
  ttl: number
  /** author's peer id */
  author: string
  /** per author, strictly increasing from 1 */
  seq: number
}

export interface DecodedObservation {
  obs: Observation
  /** version || length || cbor: the signed part */
  signed: Uint8Array
  signature: Uint8Array
  /** the whole wire message */
  bytes: Uint8Array
}

/** Encode and sign. The signer is the author's key; `obs` is validated like a received one. */
export function encodeObservation (obs: Observation, sign: (data: Uint8Array) => Uint8Array): Uint8Array {
  checkFields(obs)
  const cbor = encode(obs)
  const total = HEADER_BYTES + cbor.length + SIGNATURE_BYTES
  if (total > MAX_OBSERVATION_BYTES) throw decodeError(`observation is ${total} bytes, over ${MAX_OBSERVATION_BYTES}`)
  const out = new Uint8Array(total)
  out[0] = WIRE_VERSION
  out[1] = cbor.length >> 8
  out[2] = cbor.length & 0xff
  out.set(cbor, HEADER_BYTES)
  const signature = sign(out.subarray(0, HEADER_BYTES + cbor.length))
  if (signature.length !== SIGNATURE_BYTES) throw palisadeError(ErrorCodes.FED_SIGNATURE, 'signer returned a signature that is not 64 bytes')
  out.set(signature, HEADER_BYTES + cbor.length)
  return out
}

/**
 * Parse and validate strictly, without checking the signature (the receive path checks trust
 * first: verifying is the expensive step). Throws PAL_ERR_FED_DECODE.
 */
export interface DecodeOptions {
  /**
   * true for an author string already proven to be an Ed25519 peer id (the receive path's key
   * cache); parsing the peer id costs ~11 µs, a tenth of a signature check
   */
  knownAuthor?: (author: string) => boolean
}

export function decodeObservation (bytes: Uint8Array, opts: DecodeOptions = {}): DecodedObservation {
  if (bytes.length > MAX_OBSERVATION_BYTES) throw decodeError(`message is ${bytes.length} bytes, over ${MAX_OBSERVATION_BYTES}`)
  if (bytes.length < HEADER_BYTES + 1 + SIGNATURE_BYTES) throw decodeError(`message is ${bytes.length} bytes, too short`)
  if (bytes[0] !== WIRE_VERSION) throw decodeError(`unknown wire version ${bytes[0]}`)
  const len = (bytes[1] << 8) | bytes[2]
  if (HEADER_BYTES + len + SIGNATURE_BYTES !== bytes.length) throw decodeError('length field does not match the message size')
  // only the deterministic encoding is read, so an observation has exactly one wire form and the
  // message id (hash of the bytes) is unique to it (canonical.ts)
  const obs = checkValues(parseCanonical(bytes, HEADER_BYTES, HEADER_BYTES + len), opts.knownAuthor)
  return {
    obs,
    signed: bytes.subarray(0, HEADER_BYTES + len),
    signature: bytes.subarray(HEADER_BYTES + len),
    bytes
  }
}

function checkFields (value: unknown, knownAuthor?: (author: string) => boolean): Observation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw decodeError('observation is not a map')
  const keys = Object.keys(value).sort()
  if (keys.length !== FIELDS.length || keys.some((k, i) => k !== FIELDS[i])) {
    throw decodeError(`observation fields are ${JSON.stringify(keys)}, expected ${JSON.stringify(FIELDS)}`)
  }
  return checkValues(value as Record<string, unknown>, knownAuthor)
}

function checkValues (o: Record<string, unknown>, knownAuthor?: (author: string) => boolean): Observation {
  if (o.v !== 1) throw decodeError('v must be 1')
  if (o.kind !== 'ban' && o.kind !== 'retract') throw decodeError('kind must be "ban" or "retract"')
  if (typeof o.ip !== 'string' || o.ip.length > 64) throw decodeError('ip must be a short string')
  const subject = parseSubject(o.ip)
  if (subject === null || subject.text !== o.ip) throw decodeError(`ip ${JSON.stringify(o.ip)} is not a canonical address or prefix`)
  if (typeof o.filter !== 'string' || !FILTER_RE.test(o.filter)) throw decodeError('filter must be 1-64 characters of [A-Za-z0-9._:-]')
  if (!isInt(o.count) || o.count < 1 || o.count > MAX_COUNT) throw decodeError(`count must be an integer in 1..${MAX_COUNT}`)
  if (!isInt(o.observedAt) || o.observedAt < 0) throw decodeError('observedAt must be a non-negative integer (ms)')
  if (!isInt(o.ttl) || o.ttl < 0 || o.ttl > MAX_TTL) throw decodeError('ttl must be an integer in 0..365 days (ms)')
  if (!isInt(o.seq) || o.seq < 1) throw decodeError('seq must be a safe integer ≥ 1')
  if (typeof o.author !== 'string' || (knownAuthor?.(o.author) !== true && publicKeyOf(o.author) === null)) throw decodeError('author is not an Ed25519 peer id')
  return o as unknown as Observation
}

function isInt (x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x)
}

function decodeError (message: string, cause?: unknown): Error {
  return palisadeError(ErrorCodes.FED_DECODE, `observation rejected: ${message}`, cause)
}

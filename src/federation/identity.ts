import { createPrivateKey, createPublicKey, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto'
import { readFile, stat, mkdir, open } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Ed25519PrivateKey, PeerId } from '@libp2p/interface'
import { ErrorCodes, palisadeError } from '../common/errors.ts'
export { publicKeyOf, isEd25519PeerId } from '../trust/index.ts'

/**
 * This node's Ed25519 identity: one key is both the libp2p peer id and the observation signer.
 * libp2p keys are kept for the node; a node:crypto KeyObject signs and verifies because it is
 * ~10 % faster with a cached key (docs/platform-notes.md) and produces interoperable RFC 8032 signatures.
 */
export interface Identity {
  privateKey: Ed25519PrivateKey
  peerId: PeerId
  /** the peer id as text (`12D3KooW…`) */
  id: string
  sign (data: Uint8Array): Uint8Array
}

export const IDENTITY_FILE = 'identity.key'

/** Load `<stateDir>/identity.key`, creating it (mode 0600) when absent. */
export async function loadIdentity (stateDir: string, opts: { create?: boolean } = {}): Promise<Identity> {
  const path = join(stateDir, IDENTITY_FILE)
  let bytes: Uint8Array
  try {
    const st = await stat(path)
    if ((st.mode & 0o077) !== 0) {
      throw palisadeError(ErrorCodes.FED_IDENTITY,
        `identity key ${path} is readable by group or others (mode ${(st.mode & 0o777).toString(8)}): run chmod 600 ${path}`)
    }
    bytes = await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      if ((err as { code?: string }).code === ErrorCodes.FED_IDENTITY) throw err
      throw palisadeError(ErrorCodes.FED_IDENTITY, `cannot read identity key ${path}: ${(err as Error).message}`, err)
    }
    if (opts.create === false) throw palisadeError(ErrorCodes.FED_IDENTITY, `no identity key at ${path}: start the daemon once to create it`)
    bytes = await createKeyFile(stateDir, path)
  }
  let key
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw palisadeError(ErrorCodes.FED_IDENTITY, `identity key ${path} is corrupt: ${(err as Error).message}`, err)
  }
  if (key.type !== 'Ed25519') throw palisadeError(ErrorCodes.FED_IDENTITY, `identity key ${path} is ${key.type}, expected Ed25519`)
  return identityFromKey(key)
}

async function createKeyFile (stateDir: string, path: string): Promise<Uint8Array> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 })
  const bytes = privateKeyToProtobuf(await generateKeyPair('Ed25519'))
  // 'wx' never overwrites a key another process created meanwhile
  const fh = await open(path, 'wx', 0o600).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code === 'EEXIST') return null
    throw palisadeError(ErrorCodes.FED_IDENTITY, `cannot create identity key ${path}: ${err.message}`, err)
  })
  if (fh === null) return await readFile(path)
  try {
    await fh.writeFile(bytes)
    await fh.sync()
  } finally {
    await fh.close()
  }
  return bytes
}

export function identityFromKey (privateKey: Ed25519PrivateKey): Identity {
  const raw = privateKey.raw // seed (32) || public key (32)
  const keyObject = createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: b64u(raw.subarray(0, 32)), x: b64u(raw.subarray(32, 64)) },
    format: 'jwk'
  })
  const peerId = peerIdFromPrivateKey(privateKey)
  return {
    privateKey,
    peerId,
    id: peerId.toString(),
    sign: (data) => new Uint8Array(edSign(null, data, keyObject))
  }
}

export function verifierKey (publicKeyRaw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64u(publicKeyRaw) }, format: 'jwk' })
}

export function verifyWith (key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return edVerify(null, data, key, signature)
  } catch {
    return false
  }
}

function b64u (b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url')
}

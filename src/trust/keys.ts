import { createRequire } from 'node:module'

// loaded at the first key check: a standalone daemon with no peers never pays for libp2p's parsers
const lazyRequire = createRequire(import.meta.url)
let parse: typeof import('@libp2p/peer-id').peerIdFromString | undefined
const peerIdFromString = (text: string): ReturnType<typeof import('@libp2p/peer-id').peerIdFromString> =>
  (parse ??= (lazyRequire('@libp2p/peer-id') as typeof import('@libp2p/peer-id')).peerIdFromString)(text)

/**
 * The raw 32-byte Ed25519 public key a peer id text carries (an identity multihash), or null when
 * the text is not an Ed25519 peer id. Only the canonical base58btc spelling is accepted, so one
 * key is always one author string (dedupe, stats and votes key on it).
 */
export function publicKeyOf (peerIdText: string): Uint8Array | null {
  if (typeof peerIdText !== 'string' || peerIdText.length > 128) return null
  try {
    const p = peerIdFromString(peerIdText)
    if (p.type !== 'Ed25519' || p.publicKey === undefined) return null
    if (p.toString() !== peerIdText) return null
    return p.publicKey.raw
  } catch {
    return null
  }
}

export function isEd25519PeerId (text: string): boolean {
  return publicKeyOf(text) !== null
}

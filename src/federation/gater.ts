import type { ConnectionGater, PeerId } from '@libp2p/interface'
import type { TrustPolicy } from '../trust/index.ts'

/**
 * With `open: false` only trusted keys may hold a connection: the check runs once the noise
 * handshake has proven the remote's key (…EncryptedConnection), and before dialling a known peer
 * id. Untrusted peers are refused both ways, so gossip never reaches or comes from them.
 * NOTES.md: a refused dial may still "resolve" on the other side; admission is proven only by
 * identify or a protocol stream.
 */
export function createGater (open: boolean, trust: TrustPolicy, self: string): ConnectionGater {
  if (open) return {}
  const denied = (peer: PeerId): boolean => {
    const id = peer.toString()
    return id !== self && trust.get(id) === undefined
  }
  return {
    denyDialPeer: denied,
    denyInboundEncryptedConnection: denied,
    denyOutboundEncryptedConnection: denied
  }
}

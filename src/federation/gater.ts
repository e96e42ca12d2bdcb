import type { ConnectionGater, MultiaddrConnection, PeerId } from '@libp2p/interface'
import type { TrustPolicy } from '../trust/index.ts'
import { PendingInbound } from './admission.ts'

/**
 * A peer disconnected for sending invalid observations (peer-guard.ts) is refused both ways
 * until its penalty ends, whatever `open` says.
 *
 * With `open: false` only trusted keys may hold a connection: the check runs once the noise
 * handshake has proven the remote's key (…EncryptedConnection), and before dialling a known peer
 * id. Untrusted peers are refused both ways, so gossip never reaches or comes from them.
 * docs/platform-notes.md: a refused dial may still "resolve" on the other side; admission is proven only by
 * identify or a protocol stream.
 */
export function createGater (
  open: boolean,
  trust: TrustPolicy,
  self: string,
  penalised: (id: string) => boolean = () => false,
  pending = new PendingInbound()
): ConnectionGater {
  const denied = (peer: PeerId): boolean => {
    const id = peer.toString()
    if (id === self) return false
    return penalised(id) || (!open && trust.get(id) === undefined)
  }
  return {
    // before any handshake work: one source may hold only a few of the pending slots (admission.ts)
    denyInboundConnection: (conn: MultiaddrConnection) => !pending.admit(conn),
    denyDialPeer: denied,
    denyInboundEncryptedConnection: (peer: PeerId, conn: MultiaddrConnection) => {
      pending.release(conn)
      return denied(peer)
    },
    denyOutboundEncryptedConnection: denied
  }
}

import { readFile } from 'node:fs/promises'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { preSharedKey } from '@libp2p/pnet'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Identify } from '@libp2p/identify'
import type { ConnectionGater } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { ErrorCodes, palisadeError } from '../common/errors.ts'
import type { FederationConfig } from '../config/types.ts'
import type { Identity } from './identity.ts'
import { gossipService } from './gossip.ts'
import { INBOUND_UPGRADE_TIMEOUT } from './admission.ts'

export type PalisadeNode = Libp2p<{ identify: Identify, pubsub: GossipSub }>

/** The libp2p node: TCP + noise + yamux (+ optional pnet), identify, gossipsub. Not started. */
export async function createNode (
  config: FederationConfig,
  identity: Identity,
  gater: ConnectionGater,
  opts: { allow?: string[] } = {}
): Promise<PalisadeNode> {
  let psk: Uint8Array | undefined
  if (config.psk !== undefined) {
    try {
      psk = await readFile(config.psk)
    } catch (err) {
      throw palisadeError(
        ErrorCodes.FED_START,
        `cannot read pre-shared key ${config.psk}: ${(err as Error).message}`,
        err
      )
    }
  }
  try {
    return await createLibp2p({
      privateKey: identity.privateKey,
      start: false,
      addresses: { listen: config.listen },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      ...(psk === undefined ? {} : { connectionProtector: preSharedKey({ psk }) }),
      connectionGater: gater,
      connectionManager: {
        // members of a collective reconnect together after an outage; the default (5/s per host)
        // refuses a burst of them
        inboundConnectionThreshold: 100,
        maxIncomingPendingConnections: 100,
        // a stranger's socket that never speaks holds a pending slot this long at most
        inboundUpgradeTimeout: INBOUND_UPGRADE_TIMEOUT,
        // members' known addresses skip the shared pending limit (their own per-source limit
        // still applies): slots strangers cannot take
        ...(opts.allow === undefined || opts.allow.length === 0 ? {} : { allow: opts.allow })
      },
      services: {
        identify: identify(),
        pubsub: gossipService()
      }
    })
  } catch (err) {
    throw palisadeError(ErrorCodes.FED_START, `cannot create the libp2p node: ${(err as Error).message}`, err)
  }
}

/** Peer id text of a multiaddr's /p2p/ component, if any. */
export function peerIdOfAddr (ma: Multiaddr): string | undefined {
  for (const c of ma.getComponents()) if (c.name === 'p2p' && c.value !== undefined) return c.value
  return undefined
}

export function parseAddrs (list: readonly string[]): Multiaddr[] {
  return list.map(a => {
    try {
      return multiaddr(a)
    } catch (err) {
      throw palisadeError(ErrorCodes.FED_START, `invalid multiaddr ${JSON.stringify(a)}: ${(err as Error).message}`, err)
    }
  })
}

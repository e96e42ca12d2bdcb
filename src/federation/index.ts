/**
 * Federation: this node's libp2p identity, the gossip topic of its collective, the sync protocol
 * and the connection gater. Bytes from the wire become verified `Vote`s handed to `onVote`; local
 * bans marked `share` become signed observations (docs/wire-format.md).
 *
 * @example
 * const fed = createFederation(
 *   { config: cfg.federation, trust: cfg.trust, stateDir: cfg.state, allow: () => allowSet },
 *   { store, trustPolicy, clock: systemClock, logger,
 *     onVote: v => engine.vote(v), onRetract: (a, ip) => engine.retract(a, ip) })
 * await fed.start()
 * await fed.publishBan({ ip: '203.0.113.7', filter: 'ssh.failedlogin', count: 3, observedAt: Date.now(), ttl: 172_800_000 })
 */
import type { Clock } from '../common/clock.ts'
import type { CidrSet } from '../common/ip.ts'
import type { Logger } from '../common/logger.ts'
import type { Vote } from '../common/model.ts'
import type { FederationConfig, TrustConfig } from '../config/types.ts'
import type { Metrics } from '../control/metrics-types.ts'
import type { Store } from '../store/index.ts'
import type { TrustPolicy } from '../trust/index.ts'
import { FederationNode } from './federation.ts'

export { loadIdentity, type Identity } from './identity.ts'
export { encodeObservation, decodeObservation, type Observation, type DecodedObservation } from './observation.ts'
export type { ReceiveResult, RejectReason } from './receive.ts'
export { SYNC_PROTOCOL } from './sync.ts'
export { topicOf } from './gossip.ts'

export interface PeerStatus {
  key: string
  connected: boolean
  /** remote addresses of open connections, else addresses the peer store knows */
  addresses: string[]
  /** ms since epoch of the last gossip message this peer relayed to us */
  lastMessage?: number
  /** set while the peer is disconnected for sending invalid observations */
  penalisedUntil?: number
  /** the last sync pull from this peer: when it ended and what it brought */
  lastSync?: { at: number, received: number, accepted: number, failed?: string }
}

export interface BanObservation {
  ip: string
  filter: string
  count: number
  /** ms since epoch */
  observedAt: number
  /** ms the ban should last */
  ttl: number
}

export interface Federation {
  start (): Promise<void>
  stop (): Promise<void>
  /** this node's peer id (available after start) */
  readonly peerId: string
  /** listen addresses with /p2p/<id>, for `palisade peer id` and bootstrap lists */
  addresses (): string[]
  publishBan (b: BanObservation): Promise<void>
  publishRetract (ip: string, filter: string): Promise<void>
  peers (): PeerStatus[]
  /** every address a trusted member is known by (connections held, `--addr`): never banned while it is trusted */
  memberAddresses (): string[]
}

export interface FederationInit {
  config: FederationConfig
  trust: TrustConfig
  stateDir: string
  allow: () => CidrSet
}

export interface FederationComponents {
  store: Store
  trustPolicy: TrustPolicy
  clock: Clock
  logger: Logger
  metrics?: Metrics
  onVote (v: Vote): Promise<void> | void
  onRetract (author: string, ip: string): Promise<void> | void
  /** the trusted members or their known addresses changed: refresh the never-ban list now */
  onMembersChanged? (): void
}

export function createFederation (init: FederationInit, components: FederationComponents): Federation {
  return new FederationNode(init, components)
}

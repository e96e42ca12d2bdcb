/**
 * Trust policy: which peer keys this node listens to, with which weight, and how often.
 *
 * Peers come from the configuration (`trust.peers`, source 'config') and from runtime changes made
 * with `palisade peer trust add|remove` and `palisade peer revoke`, persisted in the store area
 * `peers` (source 'runtime'). A revoked key stays distrusted even when the configuration lists it,
 * until it is added again with `peer trust add` — revocation is the emergency brake and must not
 * be undone by a config reload. The vote arithmetic (threshold, quorum, window) is src/decide's.
 *
 * @example
 * const trust = createTrustPolicy({ config: cfg.trust }, { store, clock, logger })
 * await trust.start()
 * trust.get('12D3KooW…')        // { key, name, weight: 1, shadow: false, source: 'config' }
 * trust.allowReport(author, now) // per-author rate cap
 */
import type { Clock } from '../common/clock.ts'
import type { Logger } from '../common/logger.ts'
import type { TrustConfig } from '../config/types.ts'
import type { Store } from '../store/index.ts'
import { Policy } from './policy.ts'

export { publicKeyOf, isEd25519PeerId } from './keys.ts'

export type TrustSource = 'config' | 'runtime'

export interface TrustedPeer {
  key: string
  name?: string
  weight: number
  shadow: boolean
  source: TrustSource
}

export interface PeerStats {
  accepted: number
  rejected: number
  /** ms since epoch of the last report seen from this key (accepted or not) */
  lastReport?: number
  /** rejections by reason */
  reasons: Record<string, number>
}

export interface AddOptions {
  weight?: number
  name?: string
  shadow?: boolean
  /** multiaddrs where the peer can be reached (`--addr`): dialled at once, and never banned while it is trusted */
  addrs?: string[]
}

export interface RemoveResult {
  /** a runtime entry was deleted */
  removed: boolean
  /** the key stays trusted because the configuration file lists it (edit it, or `peer revoke`) */
  stillInConfig: boolean
}

export type TrustChange =
  | { kind: 'add', peer: TrustedPeer }
  | { kind: 'remove', key: string }
  | { kind: 'revoke', key: string }

export interface TrustPolicy {
  start (): Promise<void>
  stop (): Promise<void>
  /** the trusted entry for a key; undefined when unknown or revoked */
  get (key: string): TrustedPeer | undefined
  isRevoked (key: string): boolean
  /** validates the key (PAL_ERR_TRUST_BAD_KEY), persists, clears a revocation */
  add (key: string, opts?: AddOptions): Promise<TrustedPeer>
  remove (key: string): Promise<RemoveResult>
  /** distrust now and after restarts, even if the configuration lists the key */
  revoke (key: string): Promise<void>
  list (): TrustedPeer[]
  revoked (): string[]
  /** take one token of the author's hourly budget; false when exhausted */
  allowReport (author: string, now: number): boolean
  recordAccepted (author: string, now: number): void
  recordRejected (author: string, reason: string, now: number): void
  stats (key: string): PeerStats | undefined
  /**
   * Multiaddrs known for a key: given with `peer trust add --addr`, or the remote address of a
   * connection it held (observed, never merely claimed). Persisted; at most a few per key.
   */
  addresses (key: string): string[]
  /** remember where a trusted key was connected from; true when it was new */
  noteAddress (key: string, multiaddr: string): boolean
  /** a reload: the configured peers and rate cap replaced; runtime peers and revocations kept */
  reconfigure (config: TrustConfig): ReconfigureResult
  /** called after every change; returns an unsubscribe function */
  onChange (listener: (change: TrustChange) => void): () => void
}

/** configured peer keys a reload added, removed, or whose weight, shadow or name changed */
export interface ReconfigureResult { added: string[], removed: string[], changed: string[] }

export interface TrustPolicyInit {
  config: TrustConfig
}

export interface TrustPolicyComponents {
  store: Store
  clock: Clock
  logger: Logger
}

export function createTrustPolicy (init: TrustPolicyInit, components: TrustPolicyComponents): TrustPolicy {
  return new Policy(init, components)
}

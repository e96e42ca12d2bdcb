import type { Logger } from '../common/logger.ts'
import type { Clock } from '../common/clock.ts'
import type { BanScope, FirewallConfig } from '../config/types.ts'
import type { Metrics } from '../control/metrics-types.ts'

/** One ban as the kernel sees it: a canonical address or prefix (see common/ip.ts) and its end. */
export interface FirewallBan {
  subject: string
  /** ms since epoch; the backend converts it to the remaining kernel timeout */
  until: number
  /**
   * the traffic dropped (a filter's `ports:` / `protocol:`); absent = every port and protocol.
   * One subject may be banned in several scopes: each is its own element.
   */
  scope?: BanScope
}

/**
 * A firewall backend. Calls may come in bursts (10,000 bans in a second): implementations
 * coalesce concurrent `ban`/`unban` calls into one transaction (one `nft -f -` process), and
 * every call resolves only once its change is applied (or rejects with a PAL_ERR_FW_* error).
 * Banning twice and unbanning what is not banned both succeed.
 */
export interface Firewall {
  readonly name: string
  /**
   * Create the table/sets/chains, or adopt and reconcile those left by a previous run
   * (kill -9); then load `allow` and every ban in `bans` in ONE transaction, replacing the
   * set contents so that the kernel equals the store afterwards.
   */
  start (bans: readonly FirewallBan[], allow: readonly string[]): Promise<void>
  ban (bans: readonly FirewallBan[]): Promise<void>
  /**
   * Lift the subjects in every scope; with `only`, in that one scope alone (`only.scope`
   * undefined: the unscoped ban), as reconcile does to remove one stray element.
   */
  unban (subjects: readonly string[], only?: { scope?: BanScope }): Promise<void>
  /** replace the kernel allowlist */
  setAllow (cidrs: readonly string[]): Promise<void>
  /** what the kernel holds now, with remaining time as `until` and each element's scope; null when the table is gone */
  list (): Promise<FirewallBan[] | null>
  /**
   * Optional: call `onDrift` as soon as something other than this backend changes its kernel
   * state (nftables: `nft monitor`), so that the caller repairs it at once rather than at the next
   * reconcile interval. Stopped by `stop()`.
   */
  watch? (onDrift: (what: string) => void): void
  /**
   * Optional: take over new hooks and keepOnStop (a reload), rebuilding the table in ONE
   * transaction with every ban and allow entry `state` gives (read when the transaction is
   * built, after pending changes), so packets never meet a table without them.
   */
  reconfigure? (opts: { hooks: FirewallConfig['hooks'], keepOnStop: boolean }, state: () => { bans: readonly FirewallBan[], allow: readonly string[] }): Promise<void>
  /** remove the table unless keepOnStop */
  stop (): Promise<void>
}

export interface FirewallComponents {
  logger: Logger
  clock: Clock
  metrics?: Metrics
}

export type FirewallInit = FirewallConfig & {
  /** run nft/iptables/ipset inside this network namespace (tests): prefixes argv with `ip netns exec NAME` */
  netns?: string
}

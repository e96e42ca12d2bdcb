/**
 * Firewall backends: the kernel side of a decision. A ban is a set element whose kernel timeout
 * is the remaining ban time, so bans expire even if the daemon dies; start() restores every ban
 * in one transaction; a reconcile loop repairs drift.
 *
 * ```ts
 * const fw = createFirewall({ ...config.firewall, backend: 'nftables' }, { logger, clock: systemClock })
 * await fw.start(await storedBans(), config.allow)      // one `nft -f -` transaction
 * await fw.ban([{ subject: '203.0.113.7', until: Date.now() + 3_600_000 }])
 * const loop = startReconcileLoop({ firewall: fw, expected, allow, intervalMs: 60_000, clock, logger })
 * …
 * loop.stop(); await fw.stop()                          // removes the table unless keepOnStop
 * ```
 *
 * Backends, by name: `nftables` (default), `iptables` (iptables + ipset), `command`
 * (reaction-style argv per element) and `none` (detect and share only). `auto` is resolved to one
 * of these by the daemon before calling createFirewall.
 */
import { ErrorCodes, palisadeError } from '../common/errors.ts'
import type { Firewall, FirewallComponents, FirewallInit } from './types.ts'
import { NftablesFirewall } from './nftables.ts'
import { IptablesFirewall } from './iptables.ts'
import { CommandFirewall } from './command.ts'
import { NoneFirewall } from './none.ts'

export type { Firewall, FirewallBan, FirewallComponents, FirewallInit } from './types.ts'
export { startReconcileLoop, type ReconcileInit, type ReconcileLoop } from './reconcile.ts'
/** resolves `backend: auto` before createFirewall (written by the daemon's author, re-exported here) */
export { resolveBackend } from './resolve.ts'

type Factory = (init: FirewallInit, components: FirewallComponents) => Firewall

const BACKENDS: Readonly<Record<string, Factory>> = Object.freeze({
  nftables: (i, c) => new NftablesFirewall(i, c),
  iptables: (i, c) => new IptablesFirewall(i, c),
  command: (i, c) => new CommandFirewall(i, c),
  none: (i, c) => new NoneFirewall(i, c)
})

/** Names createFirewall accepts. */
export const firewallBackends: readonly string[] = Object.keys(BACKENDS)

export function createFirewall (init: FirewallInit, components: FirewallComponents): Firewall {
  const factory = Object.hasOwn(BACKENDS, init.backend) ? BACKENDS[init.backend] : undefined
  if (factory === undefined) {
    const hint = init.backend === 'auto' ? ' ("auto" must be resolved by the daemon first)' : ''
    throw palisadeError(ErrorCodes.FW_UNKNOWN_BACKEND,
      `firewall.backend: unknown backend ${JSON.stringify(init.backend)}${hint}; known: ${firewallBackends.join(', ')}`)
  }
  return factory(init, components)
}

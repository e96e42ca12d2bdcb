import { packageVersion } from '../common/version.ts'
import type { BansByOrigin } from '../decide/lookup.ts'
import type { StreamStatus } from '../detect/types.ts'
import type { ReconcileResult } from '../firewall/reconcile.ts'

/** What `palisade status` prints: the first screen an admin reads. */
export interface StatusReport {
  version: string
  pid: number
  startedAt: number
  uptimeMs: number
  streams: StreamStatus[]
  firewall: { backend: string, lastReconcile: ReconcileResult | null } | null
  /** null when no `federation:` section is configured */
  peers: { trusted: number, connected: number, trustedConnected: number } | null
  bans: BansByOrigin & { total: number }
}

/** The stages, each through the small part of its interface the report needs. */
export interface StatusSources {
  streams: StreamStatus[]
  firewall: StatusReport['firewall']
  trust: { list (): ReadonlyArray<{ key: string }> }
  federation: { peers (): ReadonlyArray<{ key: string, connected: boolean }> } | undefined
  engine: { byOrigin (): BansByOrigin }
  startedAt: number
  now: number
}

export function daemonStatus (s: StatusSources): StatusReport {
  const bans = s.engine.byOrigin()
  let peers: StatusReport['peers'] = null
  if (s.federation !== undefined) {
    const trusted = new Set(s.trust.list().map(p => p.key))
    const connected = s.federation.peers().filter(p => p.connected)
    peers = {
      trusted: trusted.size,
      connected: connected.length,
      trustedConnected: connected.filter(p => trusted.has(p.key)).length
    }
  }
  return {
    version: packageVersion(),
    pid: process.pid,
    startedAt: s.startedAt,
    uptimeMs: Math.max(0, s.now - s.startedAt),
    streams: s.streams,
    firewall: s.firewall,
    peers,
    bans: { ...bans, total: bans.detect + bans.manual + bans.remote }
  }
}

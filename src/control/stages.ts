import type { FilterConfig, PatternConfig } from '../config/types.ts'
import type { DecisionEngine } from '../decide/index.ts'
import type { CounterInfo, StreamStatus } from '../detect/types.ts'
import type { ReconcileResult } from '../firewall/reconcile.ts'
import type { TrustPolicy } from '../trust/index.ts'
import type { Federation } from '../federation/index.ts'

/** An action waiting for its `after` delay (reaction), as `show` lists it. */
export interface PendingAction { filter: string, key: string, action: string, due: number }

/** What `palisade reload` reports (src/daemon-reload.ts makes it). */
export interface ReloadReport {
  summary: string
  restart: string[]
  lifted: string[]
  banned: string[]
  failed: string[]
}

/**
 * What the control commands may use of a running daemon: each stage through its own interface,
 * never the daemon itself (src/daemon-control.ts composes it). Stages that start after the socket
 * (the detector) or only when configured (federation) are read when a command runs.
 */
export interface ControlStages {
  readonly engine: Pick<DecisionEngine,
    'vote' | 'unban' | 'revoke' | 'bans' | 'get' | 'containing' | 'explain' | 'byOrigin' | 'subscribe'> & {
    /** each member's share of maxRemoteBans, when the engine keeps one (src/decide/remote-budget.ts) */
      remoteBudgetOf?: (key: string) => unknown
    }
  readonly detector: {
    counters (key?: string): CounterInfo[]
    reset (key: string): Promise<void>
    streamStatus (): StreamStatus[]
  } | undefined
  readonly actions: { pending (key?: string): PendingAction[] }
  readonly firewall: {
    /** null before the firewall started */
    status (): { backend: string, lastReconcile: ReconcileResult | null } | null
    /** resolves when every decision so far reached the kernel */
    settled (): Promise<void>
  }
  readonly trust: Pick<TrustPolicy, 'list' | 'get' | 'add' | 'remove' | 'revoke' | 'stats' | 'addresses' | 'isRevoked'>
  readonly federation: Pick<Federation, 'peerId' | 'addresses' | 'peers'> | undefined
  /** the running configuration's parts the commands read (a reload replaces them) */
  readonly config: {
    trust (): { banFor: number, localWeight: number, threshold: number }
    filter (id: string): FilterConfig | undefined
    patterns (): Readonly<Record<string, PatternConfig>>
  }
  reload (): Promise<ReloadReport>
  now (): number
  /** ms since epoch when the daemon started */
  readonly startedAt: number
}

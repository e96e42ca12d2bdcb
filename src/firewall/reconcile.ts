import type { Logger } from '../common/logger.ts'
import type { Clock, Timer } from '../common/clock.ts'
import type { Metrics } from '../control/metrics-types.ts'
import { parseSubject } from '../common/ip.ts'
import type { Firewall, FirewallBan } from './types.ts'
import { contains } from './ops.ts'
import { scopeRef } from './scope.ts'

/**
 * Drift repair: someone ran `nft flush ruleset`, deleted an element by hand, or a batch failed.
 * The kernel is read first and the expected bans second: the decision engine stores a ban
 * before it calls the firewall, so a ban applied between the two reads is in both, and an
 * element being unbanned between them is only removed a little early.
 *
 * Time: `expected()` gives each ban's end as now + its remaining time on the monotonic clock
 * (decide's kernelBans), and the kernel's timeouts are monotonic too, so a wall-clock step
 * changes neither side. And a ban the store holds is never removed from the kernel here, even if
 * its `until` looks past: only the engine's expiry lifts a ban.
 */
export interface ReconcileInit {
  firewall: Firewall
  expected: () => readonly FirewallBan[]
  allow: () => readonly string[]
  intervalMs: number
  clock: Clock
  logger: Logger
  metrics?: Metrics
  /** kernel and store timeouts may differ by this much without a repair; nft reports whole seconds */
  toleranceMs?: number
}

export interface ReconcileLoop {
  stop (): void
  runOnce (): Promise<{ added: number, removed: number }>
  /** the last pass (timer or repair), for `palisade status`; undefined before the first */
  last (): ReconcileResult | undefined
}

/** One reconcile pass: when it ended, what it repaired, or why it failed. */
export interface ReconcileResult { at: number, added: number, removed: number, error?: string }

export function startReconcileLoop (init: ReconcileInit): ReconcileLoop {
  const log = init.logger.child({ component: 'firewall-reconcile', backend: init.firewall.name })
  const repairs = init.metrics?.counter('palisade_firewall_repairs_total', 'kernel-vs-store drift repaired by reconcile', ['kind'])
  const tolerance = init.toleranceMs ?? 5000
  let timer: Timer | null = null
  let stopped = false
  let running: Promise<{ added: number, removed: number }> | null = null
  let last: ReconcileResult | undefined

  const once = async (): Promise<{ added: number, removed: number }> => {
    const kernel = await init.firewall.list()
    const now = init.clock.now()
    const held = init.expected()
    const expected = held.filter(b => b.until > now)
    if (kernel === null) {
      log.warn({ bans: expected.length }, 'firewall table is gone: rebuilding it with every ban in force')
      await init.firewall.start(expected, init.allow())
      repairs?.inc({ kind: 'rebuild' })
      repairs?.inc({ kind: 'add' }, expected.length)
      return { added: expected.length, removed: 0 }
    }
    // one element per subject and scope: a subject may be banned in several scopes
    const keyOf = (b: FirewallBan): string => `${b.subject}\0${scopeRef(b.scope).key}`
    const inKernel = new Map(kernel.map(b => [keyOf(b), b.until]))
    const kernelPrefixes = kernel.flatMap(b => {
      const p = parseSubject(b.subject)
      return p?.isPrefix === true ? [{ p, key: keyOf(b), scope: scopeRef(b.scope).key }] : []
    })
    const wanted = new Set(held.map(keyOf))
    const toAdd = expected.filter(b => {
      const k = inKernel.get(keyOf(b))
      if (k !== undefined) return Math.abs(k - b.until) > tolerance
      // an nft interval set refuses a prefix inside another; the outer one enforces it meanwhile
      const p = parseSubject(b.subject)
      const scope = scopeRef(b.scope).key
      return (
        p === null ||
        !kernelPrefixes.some(o => o.scope === scope && o.p.text !== p.text && contains(o.p, p) &&
          inKernel.get(o.key)! >= b.until - tolerance)
      )
    })
    const toRemove = kernel.filter(b => !wanted.has(keyOf(b)))
    for (const b of toAdd) {
      log.warn(
        {
          ip: b.subject,
          scope: scopeRef(b.scope).key || undefined,
          until: b.until,
          was: inKernel.get(keyOf(b)) ?? null
        },
        'firewall drift: ban missing or wrong in kernel, re-adding'
      )
    }
    for (const b of toRemove) {
      log.warn({ ip: b.subject, scope: scopeRef(b.scope).key || undefined }, 'firewall drift: kernel holds a ban the store does not, removing')
    }
    if (toAdd.length > 0) await init.firewall.ban(toAdd)
    // removed from its own scope only: the same subject may rightly stay banned in another
    const byScope = new Map<string, { scope: FirewallBan['scope'], subjects: string[] }>()
    for (const b of toRemove) {
      const k = scopeRef(b.scope).key
      let g = byScope.get(k)
      if (g === undefined) byScope.set(k, (g = { scope: b.scope, subjects: [] }))
      g.subjects.push(b.subject)
    }
    for (const g of byScope.values()) await init.firewall.unban(g.subjects, { scope: g.scope })
    if (toAdd.length > 0) repairs?.inc({ kind: 'add' }, toAdd.length)
    if (toRemove.length > 0) repairs?.inc({ kind: 'remove' }, toRemove.length)
    return { added: toAdd.length, removed: toRemove.length }
  }

  const runOnce = (): Promise<{ added: number, removed: number }> => {
    // one pass at a time: a slow list() must not overlap the next tick's
    running ??= once().then(r => { last = { at: init.clock.now(), ...r }; return r }, (err: unknown) => {
      last = { at: init.clock.now(), added: 0, removed: 0, error: err instanceof Error ? err.message : String(err) }
      throw err
    }).finally(() => { running = null })
    return running
  }

  const arm = (): void => {
    if (stopped) return
    timer = init.clock.setTimeout(() => {
      runOnce().catch(err => { log.error({ err }, 'firewall reconcile failed; will retry next interval') })
        .finally(arm)
    }, init.intervalMs)
  }
  arm()

  return {
    stop () {
      stopped = true
      timer?.cancel()
    },
    runOnce,
    last: () => last
  }
}

import type { ControlVerbs } from './control/protocol.ts'
import type { ControlStages } from './control/stages.ts'
import type { Daemon } from './daemon.ts'

/**
 * The control commands' view of the daemon: each stage through its own interface. The stages that
 * start after the socket (the detector) or may be absent (federation, firewall) are read when a
 * command runs, as is the configuration a reload replaces.
 */
export function controlStages (d: Daemon): ControlStages {
  return {
    engine: d.engine,
    get detector () { return d.detector },
    actions: d.actions,
    firewall: {
      status: () => d.firewall === undefined
        ? null
        : { backend: d.firewall.name, lastReconcile: d.reconcile?.last() ?? null },
      settled: async () => { await d.firewallSink?.settled() }
    },
    trust: d.trust,
    get federation () { return d.federation },
    config: {
      trust: () => d.config.trust,
      filter: id => d.filter(id),
      patterns: () => d.config.patterns
    },
    reload: async () => await d.reload(),
    now: () => d.clock.now(),
    get startedAt () { return d.startedAt ?? d.clock.now() }
  }
}

/** the socket's verbs, loaded with zod and the command table on the first request */
export async function controlVerbs (d: Daemon): Promise<ControlVerbs> {
  const { socketVerbs } = await import('./control/commands/socket-verbs.ts')
  return await socketVerbs(controlStages(d))
}

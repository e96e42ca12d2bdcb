import type { Counter, Histogram, Metrics } from '../control/metrics-types.ts'
import type { FirewallOp } from './ops.ts'

/** Firewall metrics; no-ops when the daemon runs without metrics. */
export interface FirewallMetrics {
  transactions: Counter
  elements: Counter
  duration: Histogram
}

const noop = { inc () {}, observe () {} }

export function firewallMetrics (m: Metrics | undefined): FirewallMetrics {
  if (m === undefined) return { transactions: noop, elements: noop, duration: noop }
  return {
    transactions: m.counter('palisade_firewall_transactions_total', 'firewall change batches applied'),
    elements: m.counter('palisade_firewall_elements_total', 'ban/unban elements applied', ['op']),
    duration: m.histogram('palisade_firewall_command_seconds', 'time spent in nft/ipset/iptables runs')
  }
}

/** One applied batch: a transaction and its elements by kind. */
export function countApplied (m: FirewallMetrics, ops: readonly FirewallOp[]): void {
  m.transactions.inc()
  m.elements.inc({ op: 'ban' }, ops.filter(o => o.kind === 'ban').length)
  m.elements.inc({ op: 'unban' }, ops.filter(o => o.kind === 'unban').length)
}

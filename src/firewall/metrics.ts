import type { Counter, Histogram, Metrics } from '../control/metrics-types.ts'

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

import {
  Counter as PCounter,
  Gauge as PGauge,
  Histogram as PHistogram,
  Registry,
  collectDefaultMetrics
} from 'prom-client'
import type { Counter, Gauge, Histogram, Metrics } from './metrics-types.ts'

/**
 * prom-client behind the small Metrics surface. One registry per daemon (not prom-client's
 * global one), so two nodes in one test process do not share counters. Asking twice for the
 * same name returns the same metric.
 */
export class PromMetrics implements Metrics {
  readonly registry = new Registry()
  private readonly made = new Map<string, Counter | Gauge | Histogram>()
  /** run before each scrape: gauges read from the stages' status interfaces (src/control/metrics-scrape.ts) */
  private readonly collectors: Array<() => void> = []

  onScrape (fn: () => void): void { this.collectors.push(fn) }

  constructor (opts: { processMetrics?: boolean } = {}) {
    // under their standard names (process_cpu_seconds_total, nodejs_heap_size_used_bytes…), which
    // dashboards and alerts for any Node service already query
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry })
  }

  counter (name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.once(name, () => {
      const c = new PCounter({ name, help, labelNames: [...labelNames], registers: [this.registry] })
      return { inc: (labels, value) => labels === undefined ? c.inc(value ?? 1) : c.inc(labels, value ?? 1) }
    }) as Counter
  }

  gauge (name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.once(name, () => {
      const g = new PGauge({ name, help, labelNames: [...labelNames], registers: [this.registry] })
      return {
        set: (value, labels) => labels === undefined ? g.set(value) : g.set(labels, value),
        inc: (labels, value) => labels === undefined ? g.inc(value ?? 1) : g.inc(labels, value ?? 1),
        dec: (labels, value) => labels === undefined ? g.dec(value ?? 1) : g.dec(labels, value ?? 1)
      }
    }) as Gauge
  }

  histogram (name: string, help: string, labelNames: readonly string[] = [], buckets?: readonly number[]): Histogram {
    return this.once(name, () => {
      const h = new PHistogram({
        name,
        help,
        labelNames: [...labelNames],
        registers: [this.registry],
        ...(buckets === undefined ? {} : { buckets: [...buckets] })
      })
      return { observe: (value, labels) => labels === undefined ? h.observe(value) : h.observe(labels, value) }
    }) as Histogram
  }

  async text (): Promise<string> {
    for (const fn of this.collectors) fn()
    return await this.registry.metrics()
  }

  get contentType (): string { return this.registry.contentType }

  private once<T extends Counter | Gauge | Histogram> (name: string, make: () => T): T {
    let m = this.made.get(name)
    if (m === undefined) { m = make(); this.made.set(name, m) }
    return m as T
  }
}

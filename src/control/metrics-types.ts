/**
 * The metrics surface stages may use. Always optional (`components.metrics?.…`): code never
 * depends on metrics being present. Names follow `palisade_<area>_<what>_<unit>`; no per-IP labels.
 */
export interface Counter { inc (labels?: Record<string, string>, value?: number): void }
export interface Gauge {
  set(value: number, labels?: Record<string, string>): void
  inc(labels?: Record<string, string>, value?: number): void
  dec(labels?: Record<string, string>, value?: number): void
}
export interface Histogram { observe (value: number, labels?: Record<string, string>): void }

export interface Metrics {
  counter (name: string, help: string, labelNames?: readonly string[]): Counter
  gauge (name: string, help: string, labelNames?: readonly string[]): Gauge
  histogram (name: string, help: string, labelNames?: readonly string[], buckets?: readonly number[]): Histogram
}

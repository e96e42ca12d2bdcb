import { access } from 'node:fs/promises'
import type { Logger } from '../common/logger.ts'
import type { FilterConfig, StreamConfig } from '../config/types.ts'
import { CommandSource, type Backoff } from './command-source.ts'
import { Counters } from './counters.ts'
import { Filter } from './filter.ts'
import { FileSource } from './file-source.ts'
import { JournalSource } from './journal.ts'
import { StreamRunner, type RunnerMetrics, type Source } from './runner.ts'
import type { CounterInfo, Detector, DetectorComponents, DetectorInit } from './types.ts'

/** Knobs tests turn; the daemon uses the defaults. */
export interface DetectorTuning {
  backoff?: Backoff
  /** ms between file polls */
  pollMs?: number
}

export class DetectorImpl implements Detector {
  private readonly log: Logger
  private readonly counterState: Counters
  private readonly filters = new Map<string, FilterConfig>()
  private readonly runners: StreamRunner[] = []
  private sources: Source[] = []
  private readonly metrics: RunnerMetrics
  private readonly truncated
  private started = false

  private readonly init: DetectorInit
  private readonly components: DetectorComponents
  private readonly tuning: DetectorTuning

  constructor (init: DetectorInit, components: DetectorComponents, tuning: DetectorTuning = {}) {
    this.init = init
    this.components = components
    this.tuning = tuning
    this.log = components.logger.child({ component: 'detect' })
    const m = components.metrics
    const evicted = m?.counter('palisade_detect_counters_evicted_total', 'match counters evicted at limits.maxTrackedKeys')
    this.truncated = m?.counter('palisade_detect_lines_truncated_total', 'log lines cut at limits.maxLineBytes', ['stream'])
    this.metrics = {
      lines: m?.counter('palisade_detect_lines_total', 'log lines read', ['stream']),
      matches: m?.counter('palisade_detect_matches_total', 'lines matched by a filter', ['stream']),
      triggers: m?.counter('palisade_detect_triggers_total', 'filters that reached retry', ['stream']),
      storeFailures: m?.counter('palisade_store_write_failures_total', 'store writes that failed (state kept in memory, retried)', ['stage'])
    }
    this.counterState = new Counters(init.limits.maxTrackedKeys, () => evicted?.inc())
    for (const s of init.streams) for (const f of s.filters) this.filters.set(f.id, f)
  }

  async start (): Promise<void> {
    if (this.started) return
    this.started = true
    const { store, clock } = this.components
    await this.counterState.load(store, this.filters, clock.now())
    for (const stream of this.init.streams) {
      const compiled = stream.filters.map(f => new Filter(f, this.init.patterns, { maxLinks: this.init.limits.maxTrackedKeys }))
      const log = this.log.child({ stream: stream.name })
      const runner = new StreamRunner({ stream, filters: compiled, counters: this.counterState, store, clock, log, onTrigger: this.init.onTrigger, onTriggers: this.init.onTriggers?.bind(this.init), metrics: this.metrics })
      this.runners.push(runner)
      this.sources.push(await this.sourceFor(stream, runner, log))
    }
    for (const s of this.sources) await s.start()
  }

  private async sourceFor (stream: StreamConfig, runner: StreamRunner, log: Logger): Promise<Source> {
    const { store, clock } = this.components
    const common = {
      name: stream.name,
      sink: runner.sink,
      maxLineBytes: this.init.limits.maxLineBytes,
      onTruncate: () => this.truncated?.inc({ stream: stream.name }),
      clock,
      log,
      store
    }
    const src = stream.source
    if (src.kind === 'journal') return new JournalSource({ ...common, matches: src.matches, backoff: this.tuning.backoff })
    if (src.kind === 'file') {
      if (src.orJournal !== undefined && !await exists(src.path)) {
        log.info({ path: src.path, matches: src.orJournal }, 'log file absent at start: reading the journal instead')
        return new JournalSource({ ...common, matches: src.orJournal, backoff: this.tuning.backoff })
      }
      return new FileSource({ ...common, path: src.path, pollMs: this.tuning.pollMs })
    }
    return new CommandSource({ ...common, argv: () => stream.cmd, matchStderr: true, backoff: this.tuning.backoff })
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    await Promise.all(this.sources.map(async s => { await s.stop() }))
    for (const r of this.runners) { await r.flush(); r.stop() }
    this.sources = []
    this.runners.length = 0
  }

  counters (key?: string): CounterInfo[] {
    return this.counterState.list(key)
  }

  async reset (key: string): Promise<void> {
    const b = this.components.store.batch()
    this.counterState.reset(key, b)
    await b.write()
  }
}

async function exists (path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}

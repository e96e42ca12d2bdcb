import type { Clock } from '../common/clock.ts'
import type { Logger } from '../common/logger.ts'
import type { Counter } from '../control/metrics-types.ts'
import type { StreamConfig } from '../config/types.ts'
import type { Store } from '../store/index.ts'
import type { Counters } from './counters.ts'
import type { CompiledFilter, Trigger } from './types.ts'

/** What a source hands over: lines, their time (one for all, or one each), the position after them. */
export interface LineBatch {
  lines: readonly string[]
  time?: number | readonly number[]
  /** the stream's checkpoint after these lines (file position, journal cursor); absent for commands */
  checkpoint?: unknown
}

export type BatchSink = (batch: LineBatch) => Promise<void>

export interface Source {
  start (): Promise<void>
  stop (): Promise<void>
}

export interface RunnerMetrics {
  lines?: Counter
  matches?: Counter
  triggers?: Counter
}

/**
 * One stream's pipeline: lines → compiled filters → counters → (store batch) → onTrigger.
 * The source awaits each batch, so reading pauses while the batch is stored and its triggers
 * are handled: a trigger is handed on only after the counters and the checkpoint of the lines
 * that caused it are durable (a crash after it never re-triggers, one before it loses no line).
 */
export class StreamRunner {
  private pendingCheckpoint: unknown = undefined
  private hasCheckpoint = false
  private writing: Promise<void> = Promise.resolve()

  readonly stream: StreamConfig
  private readonly filters: readonly CompiledFilter[]
  private readonly counters: Counters
  private readonly store: Store
  private readonly clock: Clock
  private readonly log: Logger
  private readonly onTrigger: (t: Trigger) => Promise<void>
  private readonly metrics: RunnerMetrics

  constructor (init: {
    stream: StreamConfig
    filters: readonly CompiledFilter[]
    counters: Counters
    store: Store
    clock: Clock
    log: Logger
    onTrigger: (t: Trigger) => Promise<void>
    metrics?: RunnerMetrics
  }) {
    this.stream = init.stream
    this.filters = init.filters
    this.counters = init.counters
    this.store = init.store
    this.clock = init.clock
    this.log = init.log
    this.onTrigger = init.onTrigger
    this.metrics = init.metrics ?? {}
  }

  readonly sink: BatchSink = async (batch) => {
    const triggers = this.scan(batch)
    if (batch.checkpoint !== undefined) {
      this.pendingCheckpoint = batch.checkpoint
      this.hasCheckpoint = true
    }
    await this.flush()
    for (const t of triggers) {
      try {
        await this.onTrigger(t)
      } catch (err) {
        this.log.error({ err, filter: t.filter.id, key: t.match.key }, 'trigger handler failed')
      }
    }
  }

  private scan (batch: LineBatch): Trigger[] {
    const { lines } = batch
    const filters = this.filters
    const times = typeof batch.time === 'object' ? batch.time : undefined
    const common = typeof batch.time === 'number' ? batch.time : this.clock.now()
    const triggers: Trigger[] = []
    let matched = 0
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]
      const time = times === undefined ? common : times[i]
      for (let f = 0; f < filters.length; f++) {
        const m = filters[f].match(line, time)
        if (m === null) continue
        matched++
        const filter = filters[f].config
        const r = this.counters.add(filter, m)
        if (r.triggered) triggers.push({ filter, match: m, count: r.count })
      }
    }
    const labels = { stream: this.stream.name }
    this.metrics.lines?.inc(labels, lines.length)
    if (matched > 0) this.metrics.matches?.inc(labels, matched)
    if (triggers.length > 0) this.metrics.triggers?.inc(labels, triggers.length)
    return triggers
  }

  /** Write this stream's counter changes and checkpoint in one batch (serialised). */
  flush (): Promise<void> {
    const next = this.writing.then(async () => {
      if (!this.hasCheckpoint && !this.counters.hasDirty(this.stream.name)) return
      const b = this.store.batch()
      this.counters.drain(this.stream.name, b)
      if (this.hasCheckpoint) b.put('checkpoints', this.stream.name, this.pendingCheckpoint)
      this.hasCheckpoint = false
      await b.write()
    })
    this.writing = next.catch(err => { this.log.error({ err }, 'cannot store counters and checkpoint') })
    return next
  }
}

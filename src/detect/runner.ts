import { monotonicOf, type Clock, type Timer } from '../common/clock.ts'
import type { Logger } from '../common/logger.ts'
import type { Counter } from '../control/metrics-types.ts'
import type { StreamConfig } from '../config/types.ts'
import type { Store } from '../store/index.ts'
import type { CounterDelta, Counters } from './counters.ts'
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
  /** per filter (label `filter`: its id), counted per batch */
  filterMatches?: Counter
  filterTriggers?: Counter
  triggers?: Counter
  storeFailures?: Counter
}

/** A trigger as the outbox keeps it until the decision it leads to is stored (area `outbox`). */
export interface OutboxRecord {
  filter: string
  key: string
  ip?: string
  values: Record<string, string>
  count: number
  /** the matching line's time */
  time: number
}

/** Every trigger still waiting for its decision (after a kill), oldest first per stream. */
export async function readOutbox (store: Store): Promise<Array<[string, OutboxRecord]>> {
  const out: Array<[string, OutboxRecord]> = []
  for await (const e of store.entries<OutboxRecord>('outbox')) out.push(e)
  return out
}

/** a failing store is retried after this, doubling up to the maximum, ms */
const RETRY_FIRST = 1000
const RETRY_MAX = 30_000
/** counter records kept for a failing store, base64 characters (past it: one snapshot instead) */
const MAX_UNWRITTEN_CHARS = 32 << 20
/** a failing store is logged at most this often, ms */
const FAILURE_LOG_INTERVAL = 60_000

/** a process-unique outbox key prefix: two runs never reuse a key an old entry may still hold */
const RUN = Math.floor(Math.random() * 0x1_0000_0000).toString(16).padStart(8, '0')
let seq = 0

interface Outgoing { key: string, rec: OutboxRecord, written?: boolean }

/**
 * One stream's pipeline: lines → compiled filters → counters → (store batch) → onTriggers.
 *
 * The counter changes, the stream checkpoint and the triggers (area `outbox`) of a batch of
 * lines are written in ONE store batch before the triggers are handed on; the engine deletes
 * each outbox entry in the batch that stores its decision. A kill at any point therefore either
 * replays the lines (nothing was written) or finds the triggers in the outbox at the next start.
 *
 * A store write that fails (full disk) does not stop the stream: counting goes on in memory,
 * triggers are handed on anyway (not durable, so without an outbox key), and the counter
 * changes and checkpoint are retried with backoff, together with whatever came since.
 */
export class StreamRunner {
  private pendingCheckpoint: unknown = undefined
  private hasCheckpoint = false
  /** counter log records not yet written, in order */
  private unwritten: CounterDelta[] = []
  private outgoing: Outgoing[] = []
  private writing: Promise<unknown> = Promise.resolve()
  private retryTimer: Timer | undefined
  private retryDelay = RETRY_FIRST
  private failing = false
  private failureLoggedAt = -Infinity
  private linesRead = 0
  private lastLineAt: number | undefined

  readonly stream: StreamConfig
  private readonly filters: readonly CompiledFilter[]
  private readonly counters: Counters
  private readonly store: Store
  private readonly clock: Clock
  private readonly log: Logger
  private readonly onTriggers: (ts: Trigger[]) => Promise<void>
  private readonly metrics: RunnerMetrics

  constructor (init: {
    stream: StreamConfig
    filters: readonly CompiledFilter[]
    counters: Counters
    store: Store
    clock: Clock
    log: Logger
    onTrigger?: (t: Trigger) => Promise<void>
    /** the whole batch's triggers at once (one engine batch for a burst); preferred over onTrigger */
    onTriggers?: (ts: Trigger[]) => Promise<void>
    metrics?: RunnerMetrics
  }) {
    this.stream = init.stream
    this.filters = init.filters
    this.counters = init.counters
    this.store = init.store
    this.clock = init.clock
    this.log = init.log
    const one = init.onTrigger
    this.onTriggers = init.onTriggers ?? (async ts => {
      for (const t of ts) {
        try {
          await one?.(t)
        } catch (err) {
          this.log.error({ err, filter: t.filter.id, key: t.match.key }, 'trigger handler failed')
        }
      }
    })
    this.metrics = init.metrics ?? {}
  }

  readonly sink: BatchSink = async (batch) => {
    const triggers = this.scan(batch)
    if (batch.checkpoint !== undefined) {
      this.pendingCheckpoint = batch.checkpoint
      this.hasCheckpoint = true
    }
    if (triggers.length === 0) {
      // Without triggers nothing waits for this write: the source reads on while it runs. At most
      // one write is in flight (the previous one is awaited here), and writes stay in order.
      const before = this.writing
      this.flush().catch(() => {})
      await before
      return
    }
    const out: Outgoing[] = triggers.map(t => ({
      key: `${this.stream.name}\0${RUN}${(seq++).toString(16).padStart(12, '0')}`,
      rec: {
        filter: t.filter.id,
        key: t.match.key,
        ip: t.match.ip,
        values: t.match.values,
        count: t.count,
        time: t.match.time
      }
    }))
    this.outgoing.push(...out)
    await this.flush()
    for (let i = 0; i < triggers.length; i++) if (out[i].written === true) triggers[i].outbox = out[i].key
    try {
      await this.onTriggers(triggers)
    } catch (err) {
      this.log.error({ err, triggers: triggers.length }, 'trigger handler failed')
    }
  }

  private scan (batch: LineBatch): Trigger[] {
    const { lines } = batch
    const filters = this.filters
    const times = typeof batch.time === 'object' ? batch.time : undefined
    const common = typeof batch.time === 'number' ? batch.time : this.clock.now()
    const triggers: Trigger[] = []
    let matched = 0
    const perFilter = this.metrics.filterMatches === undefined ? undefined : new Uint32Array(filters.length)
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]
      const time = times === undefined ? common : times[i]
      for (let f = 0; f < filters.length; f++) {
        const m = filters[f].match(line, time)
        if (m === null) continue
        matched++
        if (perFilter !== undefined) perFilter[f]++
        const filter = filters[f].config
        const n = this.counters.count(filter, m)
        if (n > 0) triggers.push({ filter, match: m, count: n })
      }
    }
    this.linesRead += lines.length
    if (lines.length > 0) this.lastLineAt = this.clock.now()
    const labels = { stream: this.stream.name }
    this.metrics.lines?.inc(labels, lines.length)
    if (matched > 0) this.metrics.matches?.inc(labels, matched)
    if (triggers.length > 0) this.metrics.triggers?.inc(labels, triggers.length)
    if (perFilter !== undefined && matched > 0) {
      for (let f = 0; f < filters.length; f++) {
        if (perFilter[f] > 0) this.metrics.filterMatches!.inc({ filter: filters[f].config.id }, perFilter[f])
      }
    }
    for (const t of triggers) this.metrics.filterTriggers?.inc({ filter: t.filter.id })
    return triggers
  }

  /** lines read and when the last one was, for `palisade status` */
  seen (): { lines: number, lastLineAt?: number } {
    return this.lastLineAt === undefined
      ? { lines: this.linesRead }
      : { lines: this.linesRead, lastLineAt: this.lastLineAt }
  }

  /**
   * Write this stream's counter changes, checkpoint and outbox in one batch (serialised).
   * Resolves true when everything handed over so far is stored, false when the store failed.
   */
  flush (): Promise<boolean> {
    // taken now, not when the write runs: a batch's counters, checkpoint and triggers must never
    // be split between two writes (the first would advance the checkpoint past lost triggers)
    const delta = this.counters.take(this.stream.name)
    if (delta !== undefined) this.unwritten.push(delta)
    const next = this.writing.then(() => this.write())
    this.writing = next
    return next
  }

  private async write (): Promise<boolean> {
    if (!this.hasCheckpoint && this.unwritten.length === 0 && this.outgoing.length === 0) return !this.failing
    const ops = this.unwritten
    const checkpoint = this.pendingCheckpoint
    const hadCheckpoint = this.hasCheckpoint
    const outgoing = this.outgoing
    this.unwritten = []
    this.outgoing = []
    this.hasCheckpoint = false
    const b = this.store.batch()
    for (const d of ops) {
      b.put('counters', d.key, d.value)
      for (const k of d.replaces) b.del('counters', k)
    }
    if (hadCheckpoint) b.put('checkpoints', this.stream.name, checkpoint)
    for (const o of outgoing) b.put('outbox', o.key, o.rec)
    try {
      await b.write()
    } catch (err) {
      // written again in order before whatever came meanwhile; past a bound, one snapshot of the
      // stream's counters replaces them all (the triggers go on from memory, not durable)
      this.unwritten = [...ops, ...this.unwritten]
      if (this.unwritten.reduce((n, d) => n + d.value.text.length, 0) > MAX_UNWRITTEN_CHARS) {
        this.unwritten = []
        this.counters.resnapshot(this.stream.name)
      }
      if (hadCheckpoint && !this.hasCheckpoint) { this.pendingCheckpoint = checkpoint; this.hasCheckpoint = true }
      for (const o of outgoing) o.written = false
      this.failed(err)
      return false
    }
    for (const o of outgoing) o.written = true
    if (this.failing) {
      this.failing = false
      this.retryDelay = RETRY_FIRST
      this.retryTimer?.cancel()
      this.retryTimer = undefined
      this.log.warn('store writes work again: counters and checkpoint stored')
    }
    return true
  }

  private failed (err: unknown): void {
    this.failing = true
    this.metrics.storeFailures?.inc({ stage: 'detect' })
    const mono = monotonicOf(this.clock)
    if (mono - this.failureLoggedAt >= FAILURE_LOG_INTERVAL) {
      this.failureLoggedAt = mono
      this.log.error({ err, retryInMs: this.retryDelay },
        'cannot store counters and checkpoint: counting and banning go on from memory, retrying with backoff')
    }
    if (this.retryTimer !== undefined) return
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined
      void this.flush()
    }, this.retryDelay)
    this.retryDelay = Math.min(RETRY_MAX, this.retryDelay * 2)
  }

  /** cancel a pending retry (the stream stops; what is unwritten is the next start's to replay) */
  stop (): void {
    this.retryTimer?.cancel()
    this.retryTimer = undefined
  }
}

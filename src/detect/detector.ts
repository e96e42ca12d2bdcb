import { access, stat } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import type { Logger } from '../common/logger.ts'
import type { FilterConfig, StreamConfig } from '../config/types.ts'
import { CommandSource, type Backoff } from './command-source.ts'
import { Counters } from './counters.ts'
import { Filter } from './filter.ts'
import { FileSource } from './file-source.ts'
import { FileGlobSource, isGlob } from './file-glob.ts'
import { backtrackingRisk } from '../config/regex-safety.ts'
import { translateRegex } from '../config/regex-dialect.ts'
import { JournalSource } from './journal.ts'
import { VirtualSource, VirtualStreams } from './virtual-source.ts'
import { StreamRunner, type RunnerMetrics, type Source } from './runner.ts'
import type { CounterInfo, Detector, DetectorComponents, DetectorInit, StreamStatus } from './types.ts'

type StatusSource = Source & { status?: () => StreamStatus }

/** Knobs tests turn; the daemon uses the defaults. */
export interface DetectorTuning {
  backoff?: Backoff
  /** ms between file polls */
  pollMs?: number
  /** ms between expansions of a `file:` glob */
  rescanMs?: number
}

export class DetectorImpl implements Detector {
  private readonly log: Logger
  private readonly counterState: Counters
  private filters = new Map<string, FilterConfig>()
  /** by stream name, in configuration order */
  private readonly running = new Map<string, { runner: StreamRunner; source: StatusSource }>()
  private readonly metrics: RunnerMetrics
  private readonly truncated
  private started = false

  private init: DetectorInit
  /** serialises start, stop and reconfigure */
  private queue: Promise<unknown> = Promise.resolve()
  private readonly components: DetectorComponents
  private readonly tuning: DetectorTuning

  constructor (init: DetectorInit, components: DetectorComponents, tuning: DetectorTuning = {}) {
    this.init = init
    this.components = components
    this.tuning = tuning
    this.log = components.logger.child({ component: 'detect' })
    const m = components.metrics
    const evicted = m?.counter(
      'palisade_detect_counters_evicted_total',
      'match counters evicted at limits.maxTrackedKeys'
    )
    this.truncated = m?.counter('palisade_detect_lines_truncated_total', 'log lines cut at limits.maxLineBytes', [
      'stream'
    ])
    this.metrics = {
      lines: m?.counter('palisade_detect_lines_total', 'log lines read', ['stream']),
      matches: m?.counter('palisade_detect_matches_total', 'lines matched by a filter', ['stream']),
      triggers: m?.counter('palisade_detect_triggers_total', 'filters that reached retry', ['stream']),
      filterMatches: m?.counter('palisade_detect_filter_matches_total', 'lines matched, by filter', ['filter']),
      filterTriggers: m?.counter('palisade_detect_filter_triggers_total', 'times a filter reached retry, by filter', [
        'filter'
      ]),
      storeFailures: m?.counter(
        'palisade_store_write_failures_total',
        'store writes that failed (state kept in memory, retried)',
        ['stage']
      )
    }
    this.counterState = new Counters(init.limits.maxTrackedKeys, n => evicted?.inc(undefined, n))
    for (const s of init.streams) for (const f of s.filters) this.filters.set(f.id, f)
  }

  async start (): Promise<void> {
    if (this.started) return
    this.started = true
    const { store, clock } = this.components
    await this.counterState.load(store, this.filters, clock.now())
    const fresh: StatusSource[] = []
    for (const stream of this.init.streams) fresh.push(await this.build(stream))
    for (const s of fresh) await s.start()
  }

  private async build (stream: StreamConfig): Promise<StatusSource> {
    const { store, clock } = this.components
    const compiled = stream.filters.map(
      f => new Filter(f, this.init.patterns, { maxLinks: this.init.limits.maxTrackedKeys })
    )
    const log = this.log.child({ stream: stream.name })
    if (stream.filters.some(f => f.preset === undefined)) warnSlowRegexes(stream, this.init.patterns, log)
    const runner = new StreamRunner({
      stream,
      filters: compiled,
      counters: this.counterState,
      store,
      clock,
      log,
      onTrigger: this.init.onTrigger,
      onTriggers: this.init.onTriggers?.bind(this.init),
      metrics: this.metrics
    })
    const source = await this.sourceFor(stream, runner, log)
    this.running.set(stream.name, { runner, source })
    return source
  }

  /**
   * Take over a new configuration's streams: `restart` names streams whose definition changed.
   * Those and the removed ones stop first (their checkpoint and counters are flushed, so a
   * restarted stream resumes exactly after its last stored line); counters of filters that no
   * longer exist are dropped; then changed and added streams start. Untouched streams keep running.
   */
  reconfigure (
    streams: readonly StreamConfig[],
    patterns: DetectorInit['patterns'],
    restart: ReadonlySet<string>
  ): Promise<void> {
    const run = this.queue.then(async () => {
      const wanted = new Set(streams.map(s => s.name))
      const halt = [...this.running.keys()].filter(n => !wanted.has(n) || restart.has(n))
      await Promise.all(halt.map(n => this.halt(n)))
      this.init = { ...this.init, streams, patterns }
      this.filters = new Map(streams.flatMap(s => s.filters).map(f => [f.id, f]))
      const b = this.components.store.batch()
      this.counterState.rebind(this.filters, b)
      await b.write()
      if (!this.started) return
      const fresh: StatusSource[] = []
      for (const s of streams) if (!this.running.has(s.name)) fresh.push(await this.build(s))
      // the map keeps configuration order for `show`
      const order = new Map(
        [...this.running].sort(
          (a, b) => streams.findIndex(s => s.name === a[0]) - streams.findIndex(s => s.name === b[0])
        )
      )
      this.running.clear()
      for (const [k, v] of order) this.running.set(k, v)
      for (const s of fresh) await s.start()
    })
    this.queue = run.catch(() => {})
    return run
  }

  private async halt (name: string): Promise<void> {
    const r = this.running.get(name)
    if (r === undefined) return
    this.running.delete(name)
    await r.source.stop()
    await r.runner.flush()
    r.runner.stop()
  }

  private async sourceFor (stream: StreamConfig, runner: StreamRunner, log: Logger): Promise<StatusSource> {
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
    if (src.kind === 'virtual') {
      return new VirtualSource({ ...common, bus: this.components.virtual ?? new VirtualStreams() })
    }
    if (src.kind === 'journal') { return new JournalSource({ ...common, matches: src.matches, syslogForm: src.syslogForm === true, backoff: this.tuning.backoff }) }
    if (src.kind === 'file') {
      if (src.orJournal !== undefined && !(await exists(src.path))) {
        log.info({ path: src.path, matches: src.orJournal }, 'log file absent at start: reading the journal instead')
        return new JournalSource({
          ...common, matches: src.orJournal, syslogForm: src.syslogForm === true, backoff: this.tuning.backoff
        })
      }
      if (isGlob(src.path)) {
        return new FileGlobSource({
          ...common,
          pattern: src.path,
          pollMs: this.tuning.pollMs,
          rescanMs: this.tuning.rescanMs,
          backoff: this.tuning.backoff
        })
      }
      return new FileSource({ ...common, path: src.path, pollMs: this.tuning.pollMs, backoff: this.tuning.backoff })
    }
    if (!(await onPath(stream.cmd[0]))) {
      log.warn(
        { argv: stream.cmd },
        'stream command not found (not executable, or not on PATH): it is retried with backoff'
      )
    }
    return new CommandSource({ ...common, argv: () => stream.cmd, matchStderr: true, backoff: this.tuning.backoff })
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    const run = this.queue.then(async () => {
      await Promise.all(
        [...this.running.values()].map(async r => {
          await r.source.stop()
        })
      )
      for (const r of this.running.values()) {
        await r.runner.flush()
        r.runner.stop()
      }
      this.running.clear()
    })
    this.queue = run.catch(() => {})
    await run
  }

  /**
   * Lines Palisade's own log would hold but does not (the bans a burst summary line stands for,
   * src/decide/burst-log.ts): handed to the streams that count Palisade's ban lines (the
   * recidive preset) as if read from that log, so a burst's bans count as repeat offences too.
   */
  ownLogLines (make: () => readonly string[]): void {
    let lines: readonly string[] | undefined
    for (const { runner } of this.running.values()) {
      if (!runner.stream.filters.some(f => f.preset?.split(':')[0] === 'recidive')) continue
      lines ??= make()
      if (lines.length === 0) return
      runner.sink({ lines, time: this.components.clock.now() })
        .catch(err => this.log.error({ err, stream: runner.stream.name }, 'ban lines not counted'))
    }
  }

  streamStatus (): StreamStatus[] {
    return [...this.running.values()].flatMap(({ source: s, runner: r }) =>
      s.status === undefined ? [] : [{ ...s.status(), ...r.seen() }]
    )
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

/** an executable at this path, or on PATH for a bare name */
async function onPath (cmd: string | undefined): Promise<boolean> {
  if (cmd === undefined || cmd === '') return false
  const candidates = cmd.includes('/') ? [cmd] : (process.env.PATH ?? '').split(delimiter).filter(d => d !== '').map(d => join(d, cmd))
  for (const c of candidates) {
    try {
      const st = await stat(c)
      if (st.isFile() && (st.mode & 0o111) !== 0) return true
    } catch { /* next */ }
  }
  return false
}

/** Admin regexes that can take quadratic time or worse load (exponential ones are refused): say so once. */
function warnSlowRegexes (stream: StreamConfig, patterns: DetectorInit['patterns'], log: Logger): void {
  for (const f of stream.filters) {
    if (f.preset !== undefined) continue
    for (const [i, r] of f.regex.entries()) {
      const js = translateRegex(r, { placeholders: true })
      if (!js.ok) continue
      const src = js.source.replace(/(?<!\(\?P?|\\k)<([A-Za-z_]\w*)>/g, (whole, n: string) => patterns[n] === undefined ? whole : `(?:${patterns[n].regex || '.'})`)
      const risk = backtrackingRisk(src)
      if (risk !== null) log.warn({ filter: f.id, regex: i }, `filter regex: ${risk.message}; keep limits.maxLineBytes small or anchor it`)
    }
  }
}

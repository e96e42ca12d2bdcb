import type { VirtualStreams } from './virtual-source.ts'
import type { Logger } from '../common/logger.ts'
import type { Clock } from '../common/clock.ts'
import type { Match } from '../common/model.ts'
import type { FilterConfig, LimitsConfig, PatternConfig, StreamConfig } from '../config/types.ts'
import type { Store } from '../store/index.ts'
import type { Metrics } from '../control/metrics-types.ts'

/** A filter reached `retry` matches within `retryperiod` for one key. */
export interface Trigger {
  filter: FilterConfig
  match: Match
  /** matches counted inside the period, this one included */
  count: number
  /** its outbox entry (stored with the line's checkpoint), to delete with its decision; absent when the store failed */
  outbox?: string
}

/** One filter compiled once: all its regexes combined, patterns validated. */
export interface CompiledFilter {
  readonly config: FilterConfig
  /**
   * Every line this filter matches or learns from (a `link` binding) contains one of these;
   * null when no such set is known. Lets a scanner skip lines without slicing them.
   */
  readonly literals: readonly string[] | null
  /** the match for this line, or null (also null when a capture is not a valid value or is ignored) */
  match(line: string, time: number): Match | null
  /** which regex matched (index into config.regex) and what each pattern captured, raw and normalised */
  explain(
    line: string
  ): { regexIndex: number; regex: string; captures: Record<string, { raw: string; value: string | null }> } | null
}

/** A pending counter, for `palisade show`. */
export interface CounterInfo {
  filter: string
  key: string
  count: number
  retry: number
  /** ms since epoch of the oldest match still counted */
  since: number
}

export interface DetectorInit {
  streams: readonly StreamConfig[]
  patterns: Readonly<Record<string, PatternConfig>>
  limits: LimitsConfig
  /**
   * Called once per trigger, after the counters and stream checkpoint that produced it are
   * durably stored. The detector awaits it before reading further lines of that stream.
   */
  onTrigger (t: Trigger): Promise<void>
  /** all triggers of one batch of lines at once (a burst becomes one decision batch); replaces onTrigger */
  onTriggers? (ts: Trigger[]): Promise<void>
}

export interface DetectorComponents {
  logger: Logger
  clock: Clock
  store: Store
  metrics?: Metrics
  /** feeds `type: virtual` streams (created by the daemon, shared with the action runner) */
  virtual?: VirtualStreams
}

/** One stream's source as it runs, for `palisade status` and `show`. */
export interface StreamStatus {
  stream: string
  kind: 'command' | 'file' | 'journal'
  /** running; retrying after an error (backoff); waiting for a file that does not exist yet; stopped */
  state: 'running' | 'retrying' | 'waiting' | 'stopped'
  /** times the source was restarted after an error or an exit */
  restarts: number
  /** errors seen since start, by kind (errno code such as ENOSPC, or the error's name) */
  errors: Record<string, number>
  lastError?: { kind: string, message: string, at: number }
  /** file streams: the files followed now */
  files?: string[]
  /** file streams: paths or globs that match no file (yet) */
  missing?: string[]
  /** lines read since start */
  lines?: number
  /** ms since epoch when the last line was read; absent before the first */
  lastLineAt?: number
}

export interface Detector {
  start(): Promise<void>
  /** stop streams (killing each child's whole process group), flush counters and checkpoints */
  stop(): Promise<void>
  counters(key?: string): CounterInfo[]
  /** ban lines the log does not hold (a burst's summary), for the streams that count Palisade's own bans */
  ownLogLines?(lines: () => readonly string[]): void
  /** each stream's source: alive or retrying, last error, restarts */
  streamStatus(): StreamStatus[]
  /**
   * a reload: stop removed streams, restart those named in `restart`, start added ones; drop counters of
   * removed filters
   */
  reconfigure(
    streams: readonly StreamConfig[],
    patterns: Readonly<Record<string, PatternConfig>>,
    restart: ReadonlySet<string>
  ): Promise<void>
  /** forget counters of a key (after an admin unban, so the next failure does not re-ban at once) */
  reset(key: string): Promise<void>
}

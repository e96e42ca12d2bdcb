/**
 * Detection: streams → lines → filters → counters → triggers (reaction's model).
 *
 * A stream is a command (supervised child in its own process group, restarted with backoff), a
 * file followed like `tail -F` with a stored checkpoint, or journald through `journalctl -o json`
 * resumed after its stored cursor. Each filter's regexes are compiled into ONE RegExp; IP
 * captures are validated with node:net, normalised, masked and checked against the pattern's
 * ignore lists. Counters count matches per (filter, key) inside `retryperiod`; the match that
 * reaches `retry` is a Trigger. Counter changes and the stream checkpoint are stored in one
 * batch before a trigger is handed on, so a restart neither loses nor repeats a line.
 *
 * @example
 * const detector = createDetector({ streams, patterns, limits, onTrigger: async t => decide.vote(t) },
 *   { logger, clock: systemClock, store, metrics })
 * await detector.start()
 * // …
 * await detector.stop()
 */
import type { FilterConfig, PatternConfig } from '../config/types.ts'
import { DetectorImpl, type DetectorTuning } from './detector.ts'
import { Filter, type CompileOptions } from './filter.ts'
import type { CompiledFilter, Detector, DetectorComponents, DetectorInit } from './types.ts'

export type { CompiledFilter, CounterInfo, Detector, DetectorComponents, DetectorInit, Trigger } from './types.ts'
export type { CompileOptions } from './filter.ts'
export type { DetectorTuning } from './detector.ts'
export type { Backoff } from './command-source.ts'
export { DEFAULT_BACKOFF } from './command-source.ts'
export { LineSplitter } from './splitter.ts'
export { builtinIpRegex } from '../common/ip-regex.ts'
export { journalArgv, parseJournalLine } from './journal.ts'
export type { JournalEntry, JournalCheckpoint } from './journal.ts'
export type { FileCheckpoint } from './file-checkpoint.ts'
export { matchFile } from './match-file.ts'
export type { MatchFileOptions, MatchFileSummary } from './match-file.ts'

/**
 * Compile a filter: all its regexes combined into one RegExp. Throws PAL_ERR_CONFIG_INVALID
 * naming the regex when one does not compile.
 */
export function compileFilter (
  filter: FilterConfig,
  patterns: Readonly<Record<string, PatternConfig>>,
  opts?: CompileOptions
): CompiledFilter {
  return new Filter(filter, patterns, opts)
}

export function createDetector (init: DetectorInit, components: DetectorComponents, tuning?: DetectorTuning): Detector {
  return new DetectorImpl(init, components, tuning)
}

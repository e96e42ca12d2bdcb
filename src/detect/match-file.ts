import { createReadStream } from 'node:fs'
import type { Readable } from 'node:stream'
import type { Match } from '../common/model.ts'
import type { CompiledFilter } from './types.ts'
import { LineSplitter } from './splitter.ts'

export interface MatchFileOptions {
  /** match time given to every line (default: now) */
  time?: number
  maxLineBytes?: number
  /** read from this stream instead of stdin when path is '-' (tests) */
  stdin?: Readable
}

export interface MatchFileSummary { lines: number, matched: number, truncated: number }

/**
 * `palisade test-regex`: run compiled filters over a file (or stdin) in 1 MiB chunks (on the
 * 1M-line bench, faster and ~40 MB less peak RSS than 4 MiB). Every
 * filter sees every line (a filter with `link` must see the lines that bind its ids, even when
 * another filter matched them); a line counts once, with its first match.
 */
export async function matchFile (
  path: string,
  filters: CompiledFilter | readonly CompiledFilter[],
  onMatch: (match: Match, line: string, filter: CompiledFilter) => void,
  opts: MatchFileOptions = {}
): Promise<MatchFileSummary> {
  const input: Readable = path === '-' ? (opts.stdin ?? process.stdin) : createReadStream(path, { highWaterMark: 1 << 20 })
  const splitter = new LineSplitter(opts.maxLineBytes ?? 16_384)
  const time = opts.time ?? Date.now()
  let lines = 0
  let matched = 0
  const list: readonly CompiledFilter[] = Array.isArray(filters) ? filters : [filters as CompiledFilter]
  const scan = (batch: string[]): void => {
    lines += batch.length
    for (const line of batch) {
      let first = true
      for (const f of list) {
        const m = f.match(line, time)
        if (m === null || !first) continue
        first = false
        matched++
        onMatch(m, line, f)
      }
    }
  }
  for await (const chunk of input) scan(splitter.push(chunk as Buffer | string))
  scan(splitter.end())
  return { lines, matched, truncated: splitter.truncated }
}

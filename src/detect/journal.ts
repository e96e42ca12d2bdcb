import type { Clock } from '../common/clock.ts'
import type { Logger } from '../common/logger.ts'
import type { Store } from '../store/index.ts'
import { CommandSource, type Backoff } from './command-source.ts'
import type { BatchSink, LineBatch, Source } from './runner.ts'

/** What `checkpoints` holds for a journal stream. */
export interface JournalCheckpoint { kind: 'journal', cursor: string }

const FIELDS = 'MESSAGE,__CURSOR,__REALTIME_TIMESTAMP,_PID,SYSLOG_IDENTIFIER'

/**
 * journalctl argv: resume strictly after the stored cursor, else only new entries (`-n0`).
 * Never `--cursor-file`: it records what journalctl printed, not what Palisade processed, and
 * is not written on SIGKILL (NOTES.md).
 */
export function journalArgv (matches: readonly string[], cursor?: string): string[] {
  const argv = ['journalctl', '--follow', '--no-tail', '-o', 'json', `--output-fields=${FIELDS}`]
  argv.push(cursor === undefined ? '-n0' : `--after-cursor=${cursor}`)
  return [...argv, ...matches]
}

export interface JournalEntry { message: string, time: number | undefined, cursor: string | undefined }

const decoder = new TextDecoder('utf-8', { fatal: false })

/** One `-o json` line → entry; null when it is not an entry with a MESSAGE. */
export function parseJournalLine (line: string): JournalEntry | null {
  let obj: unknown
  try {
    obj = JSON.parse(line)
  } catch {
    return null
  }
  if (typeof obj !== 'object' || obj === null) return null
  const rec = obj as Record<string, unknown>
  const m = rec.MESSAGE
  let message: string
  // a field that is not valid UTF-8 comes as an array of byte values
  if (typeof m === 'string') message = m
  else if (Array.isArray(m) && m.every(b => typeof b === 'number')) message = decoder.decode(Uint8Array.from(m as number[]))
  else return null
  const rt = rec.__REALTIME_TIMESTAMP
  const micros = typeof rt === 'string' && /^\d+$/.test(rt) ? Number(rt) : undefined
  const cursor = typeof rec.__CURSOR === 'string' ? rec.__CURSOR : undefined
  return { message, time: micros === undefined ? undefined : Math.floor(micros / 1000), cursor }
}

export function journalBatch (lines: readonly string[], now: number): LineBatch & { checkpoint?: JournalCheckpoint } {
  const messages: string[] = []
  const times: number[] = []
  let cursor: string | undefined
  for (const l of lines) {
    const e = parseJournalLine(l)
    if (e === null) continue
    // a multi-line MESSAGE is one log record: each of its lines is seen by the filters
    for (const part of e.message.split('\n')) {
      messages.push(part)
      times.push(e.time ?? now)
    }
    if (e.cursor !== undefined) cursor = e.cursor
  }
  return cursor === undefined ? { lines: messages, time: times } : { lines: messages, time: times, checkpoint: { kind: 'journal', cursor } }
}

export interface JournalSourceInit {
  name: string
  matches: readonly string[]
  store: Store
  sink: BatchSink
  maxLineBytes: number
  onTruncate?: () => void
  clock: Clock
  log: Logger
  backoff?: Backoff
}

/** journald through `journalctl -o json`, resumed after the cursor stored with the counters. */
export class JournalSource implements Source {
  private cursor: string | undefined
  private readonly cmd: CommandSource

  private readonly init: JournalSourceInit

  constructor (init: JournalSourceInit) {
    this.init = init
    this.cmd = new CommandSource({
      name: init.name,
      argv: () => journalArgv(init.matches, this.cursor),
      sink: async batch => {
        const cp = batch.checkpoint as JournalCheckpoint | undefined
        await init.sink(batch)
        if (cp !== undefined) this.cursor = cp.cursor
      },
      transform: lines => journalBatch(lines, init.clock.now()),
      matchStderr: false,
      // JSON escaping can make a line longer than its MESSAGE
      maxLineBytes: init.maxLineBytes * 6 + 1024,
      onTruncate: init.onTruncate,
      clock: init.clock,
      log: init.log,
      backoff: init.backoff
    })
  }

  async start (): Promise<void> {
    const cp = await this.init.store.get<JournalCheckpoint>('checkpoints', this.init.name)
    if (cp?.kind === 'journal' && typeof cp.cursor === 'string') this.cursor = cp.cursor
    await this.cmd.start()
  }

  async stop (): Promise<void> {
    await this.cmd.stop()
  }
}

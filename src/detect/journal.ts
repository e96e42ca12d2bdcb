import type { Clock } from '../common/clock.ts'
import type { Logger } from '../common/logger.ts'
import type { Store } from '../store/index.ts'
import { CommandSource, type Backoff } from './command-source.ts'
import type { BatchSink, LineBatch, Source } from './runner.ts'
import { execFile } from 'node:child_process'
import type { StreamStatus } from './types.ts'

/** What `checkpoints` holds for a journal stream. */
export interface JournalCheckpoint { kind: 'journal', cursor: string }

const FIELDS = 'MESSAGE,__CURSOR,__REALTIME_TIMESTAMP,_PID,SYSLOG_IDENTIFIER'

/**
 * journalctl argv: resume strictly after the stored cursor, else only new entries (`-n0`).
 * Never `--cursor-file`: it records what journalctl printed, not what Palisade processed, and
 * is not written on SIGKILL (docs/platform-notes.md, journald).
 */
export function journalArgv (matches: readonly string[], cursor?: string): string[] {
  const argv = ['journalctl', '--follow', '--no-tail', '-o', 'json', `--output-fields=${FIELDS}`]
  argv.push(cursor === undefined ? '-n0' : `--after-cursor=${cursor}`)
  return [...argv, ...matches]
}

/** ms the newest-entry query may take before the stream starts without it (`-n0`) */
const NEWEST_TIMEOUT = 5000

/**
 * The cursor of the journal's newest entry (any unit: a cursor is a position, matches are applied
 * after it), or undefined when the journal is empty or journalctl does not answer in time.
 */
export function newestCursor (timeoutMs = NEWEST_TIMEOUT): Promise<string | undefined> {
  return new Promise(resolve => {
    execFile('journalctl', ['-n1', '-q', '-o', 'json', '--output-fields=__CURSOR'], { timeout: timeoutMs, maxBuffer: 1 << 20 }, (_err, stdout) => {
      let cursor: string | undefined
      for (const line of String(stdout ?? '').split('\n')) {
        try {
          const c = (JSON.parse(line) as { __CURSOR?: unknown }).__CURSOR
          if (typeof c === 'string') cursor = c
        } catch { /* not an entry */ }
      }
      resolve(cursor)
    })
  })
}

export interface JournalEntry {
  message: string
  time: number | undefined
  cursor: string | undefined
  /** `IDENT[PID]: ` as syslog would write it, when both fields are plain (empty otherwise) */
  prefix: string
}

// SYSLOG_IDENTIFIER is the sender's own text: only a plain program name becomes a prefix
const IDENT = /^[\w.@-]{1,64}$/
const PID = /^\d{1,10}$/

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
  const ident = rec.SYSLOG_IDENTIFIER
  const pid = rec._PID
  const prefix = typeof ident === 'string' && IDENT.test(ident) && typeof pid === 'string' && PID.test(pid)
    ? `${ident}[${pid}]: `
    : ''
  return { message, time: micros === undefined ? undefined : Math.floor(micros / 1000), cursor, prefix }
}

export function journalBatch (
  lines: readonly string[], now: number, syslogForm = false
): LineBatch & { checkpoint?: JournalCheckpoint } {
  const messages: string[] = []
  const times: number[] = []
  let cursor: string | undefined
  for (const l of lines) {
    const e = parseJournalLine(l)
    if (e === null) continue
    // a multi-line MESSAGE is one log record: each of its lines is seen by the filters
    for (const part of e.message.split('\n')) {
      messages.push(syslogForm ? e.prefix + part : part)
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
  /** entries as `IDENT[PID]: MESSAGE` (streams with a preset) */
  syslogForm?: boolean
}

/**
 * journald through `journalctl -o json`, resumed after the cursor stored with the counters. A
 * batch the runner refuses restarts journalctl (after backoff) from the last stored cursor.
 */
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
      transform: lines => journalBatch(lines, init.clock.now(), init.syslogForm === true),
      matchStderr: false,
      // JSON escaping can make a line longer than its MESSAGE
      maxLineBytes: init.maxLineBytes * 6 + 1024,
      onTruncate: init.onTruncate,
      clock: init.clock,
      log: init.log,
      backoff: init.backoff,
      restartOnSinkError: true,
      kind: 'journal'
    })
  }

  status (): StreamStatus { return this.cmd.status() }

  async start (): Promise<void> {
    const cp = await this.init.store.get<JournalCheckpoint>('checkpoints', this.init.name)
    if (cp?.kind === 'journal' && typeof cp.cursor === 'string') this.cursor = cp.cursor
    else await this.firstPosition()
    await this.cmd.start()
  }

  /**
   * No stored cursor: start after the newest entry and store that position at once. With `-n0`
   * and nothing stored until the first matching entry, a stop or kill before it skipped every
   * entry written meanwhile.
   */
  private async firstPosition (): Promise<void> {
    const cursor = await newestCursor()
    if (cursor === undefined) return
    this.cursor = cursor
    try {
      await this.init.sink({ lines: [], checkpoint: { kind: 'journal', cursor } satisfies JournalCheckpoint })
    } catch (err) {
      // kept in memory: the first batch that gets through stores a later cursor
      this.init.log.warn({ err }, 'journal stream: its starting position could not be stored yet')
    }
  }

  async stop (): Promise<void> {
    await this.cmd.stop()
  }
}

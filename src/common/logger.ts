import type { DestinationStream, Logger } from 'pino'
import { fstatSync } from 'node:fs'
import { formatLine } from './log-text.ts'
import { requireCjs } from './require-cjs.ts'

const { pino } = requireCjs('pino') as typeof import('pino')

export type { Logger }

export type LogFormat = 'auto' | 'json' | 'text'

export interface LoggerOptions {
  level?: string
  format?: LogFormat
  destination?: NodeJS.WritableStream
}

/**
 * One root logger per daemon; stages take `logger.child({ component })`. Logs go to stderr so
 * that stdout stays free for CLI output (`test-regex`, `feed`).
 *
 * Format `auto`: readable text in a terminal, JSON lines otherwise (what log shippers and the
 * recidive preset read). Under journald (stderr is the stream named by `$JOURNAL_STREAM`) each
 * JSON line starts with its syslog priority `<N>`, which journald strips and records as PRIORITY,
 * so `journalctl -p warning` works.
 */
export function createLogger (opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? process.env.PALISADE_LOG_LEVEL ?? 'info'
  if (opts.destination !== undefined) {
    return pino({ level, base: undefined }, opts.destination as DestinationStream)
  }
  const format = opts.format ?? (process.env.PALISADE_LOG_FORMAT as LogFormat | undefined) ?? 'auto'
  const text = format === 'text' || (format === 'auto' && process.stderr.isTTY === true)
  const fd = pino.destination({ fd: 2, sync: true })
  if (text) return pino({ level, base: undefined }, { write: (line: string) => { fd.write(formatLine(line)) } })
  if (underJournald()) {
    return pino(
      { level, base: undefined },
      {
        write: (line: string) => {
          fd.write(`<${priorityOf(line)}>${line}`)
        }
      }
    )
  }
  return pino({ level, base: undefined }, fd)
}

/** A logger that drops everything, for tests and one-shot CLI commands. */
export function silentLogger (): Logger {
  return pino({ level: 'silent' })
}

/** pino level (10 trace … 60 fatal) → syslog priority (7 debug … 2 crit) */
export function priorityOf (line: string): number {
  const m = /^\{"level":(\d+)/.exec(line)
  const n = m === null ? 30 : Number(m[1])
  return n >= 60 ? 2 : n >= 50 ? 3 : n >= 40 ? 4 : n >= 30 ? 6 : 7
}

/** `$JOURNAL_STREAM` is `DEV:INODE` of the stream journald gave the service (systemd.exec(5)) */
function underJournald (): boolean {
  const js = process.env.JOURNAL_STREAM
  if (js === undefined) return false
  try {
    const st = fstatSync(2)
    return js === `${st.dev}:${st.ino}`
  } catch {
    return false
  }
}

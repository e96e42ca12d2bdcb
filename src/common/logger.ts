import { pino, type Logger } from 'pino'

export type { Logger }

/**
 * One root logger per daemon; stages take `logger.child({ component })`. Logs go to stderr so
 * that stdout stays free for CLI output (`test-regex`, `feed`).
 */
export function createLogger (opts: { level?: string, destination?: NodeJS.WritableStream } = {}): Logger {
  return pino({ level: opts.level ?? process.env.PALISADE_LOG_LEVEL ?? 'info', base: undefined },
    (opts.destination ?? pino.destination({ fd: 2, sync: true })) as pino.DestinationStream)
}

/** A logger that drops everything, for tests and one-shot CLI commands. */
export function silentLogger (): Logger {
  return pino({ level: 'silent' })
}

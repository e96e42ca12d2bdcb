import type { Logger } from '../common/logger.ts'
import type { StreamStatus } from './types.ts'

/**
 * Health of one source, for `streamStatus()` and the logs. A source that fails (a full disk
 * refusing the checkpoint write, a file replaced by a directory, journalctl dying) retries with
 * backoff for as long as the daemon runs; this records why, and logs each kind of error once per
 * episode (with how many times it happened when the source recovers) rather than once per retry.
 */
export class SourceHealth {
  private readonly status: StreamStatus
  private readonly logged = new Set<string>()
  private episode = 0
  private readonly log: Logger

  constructor (stream: string, kind: StreamStatus['kind'], log: Logger, now: () => number) {
    this.status = { stream, kind, state: 'running', restarts: 0, errors: {} }
    this.log = log
    this.now = now
  }

  private readonly now: () => number

  /** an error: counted by kind, logged the first time this episode */
  failed (err: unknown, what: string): void {
    const kind = errorKind(err)
    this.status.state = 'retrying'
    this.status.errors[kind] = (this.status.errors[kind] ?? 0) + 1
    this.status.lastError = { kind, message: err instanceof Error ? err.message : String(err), at: this.now() }
    this.episode++
    if (!this.logged.has(kind)) {
      this.logged.add(kind)
      this.log.error({ err, kind }, `${what} failed; retrying with backoff (logged once per kind of error until it recovers)`)
    }
  }

  restarted (): void { this.status.restarts++ }

  /** work went through again: close the episode */
  ok (): void {
    if (this.status.state !== 'running' && this.episode > 0) {
      this.log.info({ errors: this.status.errors, restarts: this.status.restarts }, 'stream recovered')
    }
    this.status.state = 'running'
    this.episode = 0
    this.logged.clear()
  }

  set (state: StreamStatus['state']): void { this.status.state = state }

  note (fields: Pick<StreamStatus, 'files' | 'missing'>): void { Object.assign(this.status, fields) }

  snapshot (): StreamStatus {
    return structuredClone(this.status)
  }
}

export function errorKind (err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const code = (err as { code?: unknown }).code
    if (typeof code === 'string') return code
    if (err instanceof Error) return err.name
  }
  return 'Error'
}

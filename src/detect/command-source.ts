import { spawn, type ChildProcess } from 'node:child_process'
import type { Readable } from 'node:stream'
import type { Clock, Timer } from '../common/clock.ts'
import type { Logger } from '../common/logger.ts'
import { LineSplitter } from './splitter.ts'
import type { BatchSink, LineBatch, Source } from './runner.ts'
import { SourceHealth } from './source-status.ts'
import type { StreamStatus } from './types.ts'

export interface Backoff {
  /** ms before the first restart */
  initial: number
  /** ms cap of the doubling delay */
  max: number
  /** ms: a run at least this long resets the delay to `initial` */
  resetAfter: number
}

export const DEFAULT_BACKOFF: Backoff = { initial: 1000, max: 60_000, resetAfter: 60_000 }
/** ms between SIGTERM and SIGKILL of a stopping process group */
const KILL_GRACE = 2000

export interface CommandSourceInit {
  name: string
  /** argv, asked again at each (re)start (journalctl resumes after the latest cursor) */
  argv: () => string[]
  sink: BatchSink
  /** turn stdout lines into a batch (default: the lines themselves, no checkpoint) */
  transform?: (lines: string[]) => LineBatch
  /** stderr lines are matched too (command streams) or only logged (journalctl) */
  matchStderr: boolean
  maxLineBytes: number
  onTruncate?: () => void
  clock: Clock
  log: Logger
  backoff?: Backoff
  /**
   * a batch the sink refuses ends the run (the child is killed and restarted after backoff):
   * for journalctl, which then resumes after the last cursor stored, so nothing is skipped
   */
  restartOnSinkError?: boolean
  kind?: StreamStatus['kind']
}

/**
 * A stream command as a supervised child: argv (no shell), its own process group (so stop and
 * exit kill what it spawned too), stdin ignored, stdout and stderr read as lines. It is
 * restarted after exit with exponential backoff. Reading pauses while a batch is handled.
 */
export class CommandSource implements Source {
  private child: ChildProcess | undefined
  private timer: Timer | undefined
  private stopping = false
  private delay = 0
  private startedAt = 0
  private lastStderr = ''
  private queue: Promise<void> = Promise.resolve()
  private closed: Promise<void> = Promise.resolve()
  /** completed runs (for tests and logs) */
  runs = 0
  private readonly health: SourceHealth

  private readonly init: CommandSourceInit

  constructor (init: CommandSourceInit) {
    this.init = init
    this.health = new SourceHealth(init.name, init.kind ?? 'command', init.log, () => init.clock.now())
  }

  status (): StreamStatus { return this.health.snapshot() }

  async start (): Promise<void> {
    this.stopping = false
    this.spawnOnce()
  }

  private spawnOnce (): void {
    const { init } = this
    const argv = init.argv()
    const log = init.log
    let child: ChildProcess
    try {
      child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    } catch (err) {
      this.health.failed(err, 'starting the stream command')
      this.scheduleRestart()
      return
    }
    this.child = child
    this.startedAt = init.clock.now()
    this.lastStderr = ''
    const out = new LineSplitter(init.maxLineBytes, init.onTruncate)
    const errs = new LineSplitter(init.maxLineBytes, init.onTruncate)
    this.pipe(child.stdout!, out, true)
    this.pipe(child.stderr!, errs, false)
    let done = false
    let resolve = (): void => {}
    this.closed = new Promise<void>(_resolve => { resolve = _resolve })
    let killTimer: NodeJS.Timeout | undefined
    const finish = (code: number | null, signal: NodeJS.Signals | null, err?: Error): void => {
      if (done) return
      done = true
      clearTimeout(killTimer)
      this.enqueue(out.end(), true)
      this.enqueue(errs.end(), false)
      this.runs++
      this.child = undefined
      if (!this.stopping) {
        log.warn({ err, code, signal, lastStderr: this.lastStderr || undefined, argv }, 'stream command exited')
        if (err !== undefined) this.health.failed(err, 'the stream command')
        else this.health.set('retrying')
      }
      void this.queue.then(() => {
        resolve()
        if (!this.stopping) this.scheduleRestart()
      })
    }
    child.once('error', err => { if (child.pid === undefined) finish(null, null, err) })
    child.once('exit', () => {
      // leftovers of the group (a backgrounded grandchild holding the pipes) go with it
      killGroup(child, 'SIGTERM')
      killTimer = setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE)
      killTimer.unref()
    })
    child.once('close', (code, signal) => finish(code, signal))
  }

  private pipe (stream: Readable, splitter: LineSplitter, isStdout: boolean): void {
    stream.on('data', (chunk: Buffer) => {
      const lines = splitter.push(chunk)
      if (lines.length === 0) return
      stream.pause()
      this.enqueue(lines, isStdout).then(() => stream.resume(), () => stream.resume())
    })
  }

  private enqueue (lines: string[], isStdout: boolean): Promise<void> {
    if (lines.length === 0) return this.queue
    if (!isStdout) this.lastStderr = lines[lines.length - 1]
    const { init } = this
    const run = async (): Promise<void> => {
      if (isStdout && init.transform !== undefined) await init.sink(init.transform(lines))
      else if (isStdout || init.matchStderr) await init.sink({ lines })
      else for (const l of lines) init.log.warn({ stderr: l }, 'stream command wrote to stderr')
    }
    this.queue = this.queue.then(run).then(() => { if (isStdout) this.health.ok() }, err => {
      this.health.failed(err, 'a stream batch')
      // lines after a refused batch would move the cursor past it: end the run, resume from the cursor
      if (init.restartOnSinkError === true && this.child !== undefined) killGroup(this.child, 'SIGTERM')
    })
    return this.queue
  }

  private scheduleRestart (): void {
    const { backoff = DEFAULT_BACKOFF, clock } = this.init
    const ran = clock.now() - this.startedAt
    this.delay = ran >= backoff.resetAfter || this.delay === 0 ? backoff.initial : Math.min(this.delay * 2, backoff.max)
    this.init.log.info({ delayMs: this.delay }, 'stream command restarts after backoff')
    this.timer = clock.setTimeout(() => {
      this.timer = undefined
      if (!this.stopping) { this.health.restarted(); this.spawnOnce() }
    }, this.delay)
  }

  /** ms the next restart waits (0 before any exit) */
  get currentDelay (): number { return this.delay }

  get pid (): number | undefined { return this.child?.pid }

  async stop (): Promise<void> {
    this.stopping = true
    this.health.set('stopped')
    this.timer?.cancel()
    this.timer = undefined
    const child = this.child
    if (child !== undefined) {
      killGroup(child, 'SIGTERM')
      const t = setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE)
      t.unref()
      await this.closed
      clearTimeout(t)
    }
    await this.queue
  }
}

function killGroup (child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // ESRCH: the group is already gone
  }
}

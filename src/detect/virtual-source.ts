import type { Clock } from '../common/clock.ts'
import type { Logger } from '../common/logger.ts'
import type { BatchSink, Source } from './runner.ts'

/**
 * reaction's virtual streams: a `type: virtual` stream reads the lines that virtual actions of
 * other filters send it (`send: '<ip>'`, `to: recidive`), so a second-level filter can count
 * repeat offenders. The bus is created by the daemon and shared by the action runner (which
 * sends) and the detector (whose virtual sources receive); it holds no module-level state.
 *
 * A line sent before its stream started, or while it is stopped, is dropped with a count: a
 * virtual stream counts what happens while the daemon runs, as reaction's does.
 */
export interface VirtualBus {
  /** write one line into the virtual stream `to`; false when no such stream is running */
  send (to: string, line: string): boolean
}

export class VirtualStreams implements VirtualBus {
  private readonly sinks = new Map<string, (line: string) => void>()
  /** lines that found no running stream, by stream name */
  readonly dropped = new Map<string, number>()

  send (to: string, line: string): boolean {
    const sink = this.sinks.get(to)
    if (sink === undefined) { this.dropped.set(to, (this.dropped.get(to) ?? 0) + 1); return false }
    sink(line)
    return true
  }

  /** @internal for VirtualSource */
  attach (name: string, sink: (line: string) => void): void { this.sinks.set(name, sink) }
  /** @internal for VirtualSource */
  detach (name: string): void { this.sinks.delete(name) }
}

export interface VirtualSourceInit {
  name: string
  bus: VirtualStreams
  sink: BatchSink
  maxLineBytes: number
  onTruncate?: () => void
  clock: Clock
  log: Logger
}

/**
 * One virtual stream. Lines are handed to the stream's runner one batch at a time, in order: the
 * runner's sink is async (it stores counters before deciding), so lines arriving meanwhile queue.
 */
export class VirtualSource implements Source {
  private readonly init: VirtualSourceInit
  private queue: string[] = []
  private draining: Promise<void> | null = null

  constructor (init: VirtualSourceInit) {
    this.init = init
  }

  async start (): Promise<void> {
    this.init.bus.attach(this.init.name, line => { this.push(line) })
  }

  async stop (): Promise<void> {
    this.init.bus.detach(this.init.name)
    await this.draining
  }

  private push (line: string): void {
    const max = this.init.maxLineBytes
    if (Buffer.byteLength(line) > max) {
      line = Buffer.from(line).subarray(0, max).toString()
      this.init.onTruncate?.()
    }
    this.queue.push(line)
    this.draining ??= this.drain()
  }

  private async drain (): Promise<void> {
    while (this.queue.length > 0) {
      const lines = this.queue
      this.queue = []
      try {
        await this.init.sink({ lines, time: this.init.clock.now() })
      } catch (err) {
        this.init.log.error({ err, lines: lines.length }, 'virtual stream: lines could not be processed')
      }
    }
    this.draining = null
  }
}

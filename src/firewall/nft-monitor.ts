import { spawn, type ChildProcess } from 'node:child_process'
import type { Clock, Timer } from '../common/clock.ts'
import type { Logger } from '../common/logger.ts'

/**
 * Notices at once when someone else changes Palisade's nftables table — `nft flush ruleset` (what
 * `systemctl reload nftables` does with Debian's stock ruleset), a deleted set, chain, rule or
 * element — so that the table is rebuilt in well under a second instead of at the next
 * reconcile tick.
 *
 * `nft monitor` prints each change, then `# new generation N by process PID (NAME)` closing the
 * transaction. A transaction that touched our table and was made by a process that is not one
 * of our own `nft` runs (their pids are remembered for a while) is foreign: `onForeign` is called,
 * debounced, so that a flush of many objects triggers one repair. The monitor process is
 * restarted with backoff if it dies.
 */
export interface NftMonitorInit {
  table: string
  netns?: string
  clock: Clock
  logger: Logger
  onForeign: (what: string) => void
  /** ms to wait for the rest of a burst of changes before calling onForeign */
  debounceMs?: number
}

/** our own nft runs are remembered this long after they start, ms (monitor output may lag) */
const OWN_PID_TTL = 60_000
const MAX_BACKOFF = 30_000

export class NftMonitor {
  private readonly init: NftMonitorInit
  private readonly own = new Map<number, number>()
  private child: ChildProcess | undefined
  private stopped = false
  private touched: string | undefined
  private pendingWhat: string | undefined
  private debounce: Timer | undefined
  private restart: Timer | undefined
  private backoff = 500
  private buf = ''

  constructor (init: NftMonitorInit) {
    this.init = init
  }

  /** an nft process of ours: its changes are not drift */
  ours (pid: number): void {
    const now = this.init.clock.now()
    this.own.set(pid, now)
    if (this.own.size > 1000) for (const [p, t] of this.own) if (t < now - OWN_PID_TTL) this.own.delete(p)
  }

  start (): void {
    this.stopped = false
    this.spawn()
  }

  stop (): void {
    this.stopped = true
    this.debounce?.cancel()
    this.restart?.cancel()
    this.child?.kill('SIGTERM')
    this.child = undefined
  }

  private spawn (): void {
    const argv = this.init.netns === undefined ? ['nft', 'monitor'] : ['ip', 'netns', 'exec', this.init.netns, 'nft', 'monitor']
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] })
    this.child = child
    const started = this.init.clock.now()
    child.on('error', err => this.init.logger.warn({ err }, 'nft monitor could not start: drift is repaired at the reconcile interval only'))
    child.stdout!.setEncoding('utf8')
    child.stdout!.on('data', (chunk: string) => this.feed(chunk))
    child.once('close', (_code: number | null, signal: NodeJS.Signals | null) => {
      if (this.stopped || this.child !== child) return
      this.child = undefined
      // a monitor that ran a while restarts at once; one that keeps dying backs off
      this.backoff = this.init.clock.now() - started > 10_000 ? 500 : Math.min(this.backoff * 2, MAX_BACKOFF)
      // Ctrl-C in a terminal reaches the whole process group: the daemon is stopping too
      const quiet = signal === 'SIGINT' || signal === 'SIGTERM'
      this.init.logger[quiet ? 'debug' : 'warn']({ retryMs: this.backoff, signal }, 'nft monitor exited; restarting it')
      this.restart = this.init.clock.setTimeout(() => { if (!this.stopped) this.spawn() }, this.backoff)
    })
  }

  /** exported for tests: a chunk of `nft monitor` output */
  feed (chunk: string): void {
    this.buf += chunk
    let nl: number
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      this.line(this.buf.slice(0, nl))
      this.buf = this.buf.slice(nl + 1)
    }
    // a line longer than any nft prints: drop it rather than grow without bound
    if (this.buf.length > 1 << 20) this.buf = ''
  }

  private line (line: string): void {
    const gen = /^# new generation \d+ by process (\d+)/.exec(line)
    if (gen !== null) {
      const what = this.touched
      this.touched = undefined
      if (what !== undefined && !this.own.has(Number(gen[1]))) this.foreign(what)
      return
    }
    if (this.touched !== undefined) return
    // `delete table inet T`, `delete set inet T ban4`, `add element inet T ban4 { … }`, …
    const m = /^(add|delete|flush|destroy|replace) (\S+) inet (\S+)/.exec(line)
    if (m !== null && m[3] === this.init.table) this.touched = `${m[1]} ${m[2]}`
  }

  private foreign (what: string): void {
    this.pendingWhat ??= what
    if (this.debounce !== undefined) return
    this.debounce = this.init.clock.setTimeout(() => {
      this.debounce = undefined
      const w = this.pendingWhat ?? what
      this.pendingWhat = undefined
      if (!this.stopped) this.init.onForeign(w)
    }, this.init.debounceMs ?? 50)
  }
}

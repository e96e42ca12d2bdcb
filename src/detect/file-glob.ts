import { glob } from 'node:fs/promises'
import type { Logger } from '../common/logger.ts'
import type { Store } from '../store/index.ts'
import { identityOf, isFileCheckpoint, sameFile, type FileCheckpoint } from './file-checkpoint.ts'
import { FileSource } from './file-source.ts'
import type { Backoff } from './command-source.ts'
import type { BatchSink, LineBatch, Source } from './runner.ts'
import { SourceHealth } from './source-status.ts'
import type { StreamStatus } from './types.ts'

/** What `checkpoints` holds for a glob stream: one file checkpoint per followed path. */
export interface FilesCheckpoint { kind: 'files', files: Record<string, FileCheckpoint> }

export interface FileGlobSourceInit {
  name: string
  pattern: string
  store: Store
  sink: BatchSink
  maxLineBytes: number
  onTruncate?: () => void
  log: Logger
  pollMs?: number
  /** ms between two expansions of the glob (files that appear later are followed from their start) */
  rescanMs?: number
  backoff?: Backoff
}

/** is this path a glob (fail2ban's Debian defaults: `/var/log/apache2/*error.log`)? */
export function isGlob (path: string): boolean {
  return /[*?[]/.test(path)
}

/** inodes remembered for rotation detection (a few rotations per file and day) */
const MAX_SEEN = 4096

// compressed rotations (`error.log.2.gz`) are not text a follower can read
const COMPRESSED = /\.(?:gz|bz2|xz|zst|lz4|Z)$/

/**
 * `file:` with a glob: one FileSource per matching file, each resuming at its own checkpoint
 * (stored together under the stream's name, in one value, so one store batch carries them with the
 * counters), plus a rescan every few seconds that follows files appearing later from their start.
 * A new path holding a file already followed (the rotated `x.log.1` of a glob such as `x.log*`)
 * is not followed twice. Batches of all files go to the runner one at a time.
 */
export class FileGlobSource implements Source {
  private readonly followers = new Map<string, FileSource>()
  private committed: Record<string, FileCheckpoint> = {}
  private stored: Record<string, FileCheckpoint> = {}
  private queue: Promise<void> = Promise.resolve()
  /** dev:ino of every file a follower has read (bounded): a rotated file keeps its inode under its new name */
  private readonly seen = new Map<string, string>()
  private timer: NodeJS.Timeout | undefined
  private stopping = false
  private readonly health: SourceHealth
  private readonly init: FileGlobSourceInit

  constructor (init: FileGlobSourceInit) {
    this.init = init
    this.health = new SourceHealth(init.name, 'file', init.log, Date.now)
  }

  status (): StreamStatus {
    const files = [...this.followers.keys()].sort()
    const s = this.health.snapshot()
    if (files.length === 0 && s.state === 'running') s.state = 'waiting'
    return { ...s, files, ...(files.length === 0 ? { missing: [this.init.pattern] } : {}) }
  }

  async start (): Promise<void> {
    this.stopping = false
    const cp = await this.init.store.get<FilesCheckpoint>('checkpoints', this.init.name)
    if (cp?.kind === 'files' && typeof cp.files === 'object' && cp.files !== null) {
      for (const [p, c] of Object.entries(cp.files)) if (isFileCheckpoint(c)) this.stored[p] = c
    }
    this.committed = { ...this.stored }
    for (const [p, c] of Object.entries(this.stored)) this.remember(c, p)
    await this.scan(false)
    if (this.followers.size === 0) {
      this.init.log.warn({ pattern: this.init.pattern }, 'file stream: the glob matches no file (yet); files that appear are followed')
    }
    this.schedule()
  }

  private schedule (): void {
    this.timer = setTimeout(() => {
      this.scan(true).catch(err => this.health.failed(err, 'expanding the glob')).finally(() => { if (!this.stopping) this.schedule() })
    }, this.init.rescanMs ?? 5000)
    this.timer.unref()
  }

  private async scan (later: boolean): Promise<void> {
    const found: string[] = []
    for await (const p of glob(this.init.pattern)) if (!COMPRESSED.test(p)) found.push(p)
    for (const path of found.sort()) {
      if (this.followers.has(path) || this.stopping) continue
      const id = await identityOf(path)
      if (id === null) continue
      if (!this.followers.has(path) && this.isFollowed(id, path)) continue
      const follower = new FileSource({
        name: this.init.name,
        path,
        store: this.init.store,
        sink: batch => this.deliver(path, batch),
        maxLineBytes: this.init.maxLineBytes,
        onTruncate: this.init.onTruncate,
        log: this.init.log.child({ path }),
        pollMs: this.init.pollMs,
        backoff: this.init.backoff,
        loadCheckpoint: async () => this.stored[path],
        fromStart: later,
        health: this.health
      })
      this.followers.set(path, follower)
      if (later) this.init.log.info({ path }, 'file stream: a new file matches the glob, following it')
      await follower.start()
    }
  }

  /** the same file under another name, already followed (a rename rotation into the glob) */
  private isFollowed (id: { dev: string, ino: string }, path: string): boolean {
    const was = this.seen.get(`${id.dev}:${id.ino}`)
    return (was !== undefined && was !== path) ||
      Object.entries(this.committed).some(([p, c]) => p !== path && this.followers.has(p) && sameFile(c, id))
  }

  private remember (cp: FileCheckpoint, path: string): void {
    const key = `${cp.dev}:${cp.ino}`
    if (this.seen.has(key)) return
    if (this.seen.size >= MAX_SEEN) this.seen.delete(this.seen.keys().next().value!)
    this.seen.set(key, path)
  }

  private deliver (path: string, batch: LineBatch): Promise<void> {
    const run = async (): Promise<void> => {
      const cp = batch.checkpoint as FileCheckpoint
      this.remember(cp, path)
      const files = { ...this.committed, [path]: cp }
      await this.init.sink({ ...batch, checkpoint: { kind: 'files', files } satisfies FilesCheckpoint })
      this.committed = files
    }
    const next = this.queue.then(run)
    this.queue = next.catch(() => {})
    return next
  }

  async stop (): Promise<void> {
    this.stopping = true
    clearTimeout(this.timer)
    await Promise.all([...this.followers.values()].map(async f => { await f.stop() }))
    this.followers.clear()
    await this.queue
    this.health.set('stopped')
  }
}

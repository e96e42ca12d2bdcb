import { watch, type FSWatcher } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Logger } from '../common/logger.ts'
import type { Store } from '../store/index.ts'
import {
  fdIdentity, headOf, HEAD_BYTES, identityOf, isFileCheckpoint, matchesCheckpoint, sameFile, type FileCheckpoint
} from './file-checkpoint.ts'
import { LineSplitter } from './splitter.ts'
import type { BatchSink, Source } from './runner.ts'
import { DEFAULT_BACKOFF, type Backoff } from './command-source.ts'
import { SourceHealth } from './source-status.ts'
import type { StreamStatus } from './types.ts'

export interface FileSourceInit {
  name: string
  path: string
  store: Store
  sink: BatchSink
  maxLineBytes: number
  onTruncate?: () => void
  log: Logger
  /** ms between polls; fs.watch only shortens the wait (it misses events on some filesystems) */
  pollMs?: number
  /** bytes per read */
  chunkBytes?: number
  /** delays between retries after an error (a failed read or a refused batch) */
  backoff?: Backoff
  /** the stored checkpoint (default: `checkpoints/<name>`; a glob stream keeps one per file) */
  loadCheckpoint?: () => Promise<unknown>
  /** without a checkpoint, read an existing file from its start (a file that appeared after start) */
  fromStart?: boolean
  /** shared with the other files of a glob stream */
  health?: SourceHealth
}

interface Current { fd: FileHandle, dev: string, ino: string }

/**
 * `tail -F` in-process, resumable. At EOF the path is checked: another file there means a
 * rename rotation (the old file is drained once more through its still-open fd, then the new one
 * is read from 0); a size below our offset means copytruncate (restart at 0); no file means
 * wait for it. At start a stored checkpoint resumes the same file, or finishes the rotated one
 * found as PATH.1 before reading the new file from 0; without a checkpoint reading starts at
 * the end (`tail -n0`), and that position is stored at once.
 *
 * Any error (a read failing, the sink refusing a batch because the disk is full) is retried with
 * backoff for as long as the stream runs: reading resumes at the last position the sink took, so
 * the lines of a refused batch are read again, not lost.
 */
export class FileSource implements Source {
  private cur: Current | undefined
  private offset = 0
  private head = { hash: '', len: 0 }
  private readonly splitter: LineSplitter
  private readonly buf: Buffer
  private stopping = false
  private drainedAfterRotation = false
  private wakeUp: (() => void) | undefined
  private watcher: FSWatcher | undefined
  private loop: Promise<void> = Promise.resolve()
  /** the last position the sink accepted (or where reading started): where a retry resumes */
  private committed: FileCheckpoint | undefined
  private readonly health: SourceHealth
  private delay = 0

  private readonly init: FileSourceInit

  constructor (init: FileSourceInit) {
    this.init = init
    this.splitter = new LineSplitter(init.maxLineBytes, init.onTruncate)
    this.buf = Buffer.allocUnsafe(init.chunkBytes ?? 1 << 20)
    this.health = init.health ?? new SourceHealth(init.name, 'file', init.log, Date.now)
  }

  status (): StreamStatus {
    const s = this.health.snapshot()
    return {
      ...s,
      files: this.cur === undefined ? [] : [this.init.path],
      ...(this.cur === undefined ? { missing: [this.init.path] } : {})
    }
  }

  async start (): Promise<void> {
    this.stopping = false
    const { path, log } = this.init
    const stored = await (this.init.loadCheckpoint?.() ?? this.init.store.get<unknown>('checkpoints', this.init.name))
    const cp = isFileCheckpoint(stored) ? stored : undefined
    let positioned = true
    try {
      await this.position(cp)
    } catch (err) {
      this.health.failed(err, 'file stream')
      positioned = false
    }
    if (this.cur === undefined && positioned) {
      log.warn({ path }, await identityOf(dirname(path)) === null
        ? 'file stream: neither the file nor its directory exists; waiting for it'
        : 'file stream: the file does not exist (yet); waiting for it')
    }
    try {
      this.watcher = watch(dirname(path), { persistent: false }, () => this.wake())
      this.watcher.on('error', () => { this.watcher?.close(); this.watcher = undefined })
    } catch {
      // no directory yet: polling finds the file when it appears
    }
    this.loop = this.supervise(positioned ? undefined : cp)
  }

  /** run until stopped; after an error, back off and resume at the last accepted position */
  private async supervise (retryFrom: FileCheckpoint | undefined): Promise<void> {
    let needsPosition = retryFrom !== undefined || this.health.snapshot().state === 'retrying'
    let from = retryFrom
    while (!this.stopping) {
      try {
        if (needsPosition) {
          await this.closeCur()
          await this.position(from)
          needsPosition = false
        }
        await this.run()
        return
      } catch (err) {
        if (this.stopping) return
        this.health.failed(err, 'file stream')
        this.health.restarted()
        from = this.committed ?? from
        needsPosition = true
        const { initial, max } = this.init.backoff ?? DEFAULT_BACKOFF
        this.delay = this.delay === 0 ? initial : Math.min(this.delay * 2, max)
        await this.sleep(this.delay)
      }
    }
  }

  private async closeCur (): Promise<void> {
    const cur = this.cur
    this.cur = undefined
    await cur?.fd.close().catch(() => {})
  }

  /** hand a batch over; on success it is the position a retry resumes at */
  private async deliver (lines: string[]): Promise<void> {
    const checkpoint = this.checkpoint()
    await this.init.sink({ lines, checkpoint })
    this.committed = checkpoint
    this.delay = 0
    this.health.ok()
  }

  private async position (cp: FileCheckpoint | undefined): Promise<void> {
    const { path, log } = this.init
    if (cp !== undefined && await matchesCheckpoint(path, cp)) {
      await this.openAt(path, cp.offset)
      if ((await fdIdentity(this.cur!.fd)).size < cp.offset) this.offset = 0
      log.info({ path, offset: this.offset }, 'file stream resumes at its checkpoint')
    } else if (cp !== undefined && await matchesCheckpoint(`${path}.1`, cp)) {
      // rotated while we were down: finish the old file, the loop then switches to the new one
      await this.openAt(`${path}.1`, cp.offset)
      log.info({ path: `${path}.1`, offset: cp.offset }, 'file stream finishes the rotated file first')
    } else if (cp !== undefined) {
      if (await identityOf(path) !== null) await this.openAt(path, 0)
      log.info({ path }, 'file stream: file replaced since the checkpoint, reading it from the start')
    } else {
      const id = await identityOf(path)
      if (id !== null) await this.openAt(path, this.init.fromStart === true ? 0 : id.size)
    }
    // Persist where reading starts before anything is read: without it, a stop or a kill before
    // the first batch leaves no checkpoint, and the next start skips what was appended meanwhile.
    if (this.cur !== undefined && (cp === undefined || cp.offset !== this.offset || cp.ino !== this.cur.ino)) {
      await this.deliver([])
    } else if (this.cur !== undefined) {
      this.committed = this.checkpoint()
    }
  }

  private async openAt (path: string, offset: number): Promise<void> {
    const fd = await open(path, 'r')
    const id = await fdIdentity(fd)
    this.cur = { fd, dev: id.dev, ino: id.ino }
    this.offset = offset
    this.head = await headOf(fd)
    this.splitter.reset()
  }

  private checkpoint (): FileCheckpoint {
    const c = this.cur!
    return {
      kind: 'file',
      dev: c.dev,
      ino: c.ino,
      offset: this.offset - this.splitter.pendingBytes,
      headHash: this.head.hash,
      headLen: this.head.len
    }
  }

  private async run (): Promise<void> {
    const { path, log } = this.init
    while (!this.stopping) {
      if (this.cur === undefined) {
        if (await identityOf(path) === null) { this.health.set('waiting'); await this.wait(); continue }
        await this.openAt(path, 0)
        log.info({ path }, 'file stream: file appeared')
        await this.deliver([])
      }
      const cur = this.cur!
      const { bytesRead } = await cur.fd.read(this.buf, 0, this.buf.length, this.offset)
      if (bytesRead > 0) {
        this.offset += bytesRead
        if (this.head.len < HEAD_BYTES) this.head = await headOf(cur.fd)
        const lines = this.splitter.push(this.buf.subarray(0, bytesRead))
        await this.deliver(lines)
        continue
      }
      const atPath = await identityOf(path)
      if (atPath !== null && !sameFile(atPath, cur)) {
        if (!this.drainedAfterRotation) { this.drainedAfterRotation = true; continue }
        this.drainedAfterRotation = false
        const tail = this.splitter.end()
        await cur.fd.close()
        this.cur = undefined
        await this.openAt(path, 0)
        log.info({ path }, 'file stream: rotated, following the new file')
        await this.deliver(tail)
        continue
      }
      if ((await fdIdentity(cur.fd)).size < this.offset) {
        log.info({ path }, 'file stream: truncated, reading from the start')
        this.offset = 0
        this.splitter.reset()
        continue
      }
      await this.wait()
    }
  }

  private wait (): Promise<void> {
    return new Promise(resolve => {
      const done = (): void => { clearTimeout(t); this.wakeUp = undefined; resolve() }
      const t = setTimeout(done, this.init.pollMs ?? 250)
      this.wakeUp = done
    })
  }

  private wake (): void { this.wakeUp?.() }

  private sleep (ms: number): Promise<void> {
    return new Promise(resolve => {
      const done = (): void => { clearTimeout(t); this.wakeUp = undefined; resolve() }
      const t = setTimeout(done, ms)
      // a file event does not cut a backoff short; stop() does
      this.wakeUp = () => { if (this.stopping) done() }
    })
  }

  async stop (): Promise<void> {
    this.stopping = true
    this.wake()
    await this.loop
    this.watcher?.close()
    this.watcher = undefined
    await this.closeCur()
    this.health.set('stopped')
  }
}

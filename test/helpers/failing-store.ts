import type { Store, StoreBatch } from '../../src/store/index.ts'

/**
 * A real store whose writes fail on demand, as on a full disk (ENOSPC): filling a real disk is
 * not safe on a shared machine, so this is the one fake the crash and fault tests use. Reads and
 * everything else go to the real LevelDB underneath.
 */
export class FailingStore implements Store {
  readonly inner: Store
  /** the next this many writes (batches, puts, dels) fail */
  failNext = 0
  writes = 0
  failures = 0

  constructor (inner: Store) {
    this.inner = inner
  }

  private check (): void {
    this.writes++
    if (this.failNext <= 0) return
    this.failNext--
    this.failures++
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
  }

  start (): Promise<void> { return this.inner.start() }
  stop (): Promise<void> { return this.inner.stop() }
  get<T> (area: Parameters<Store['get']>[0], key: string): Promise<T | undefined> { return this.inner.get<T>(area, key) }
  async put (area: Parameters<Store['put']>[0], key: string, value: unknown): Promise<void> { this.check(); await this.inner.put(area, key, value) }
  async del (area: Parameters<Store['del']>[0], key: string): Promise<void> { this.check(); await this.inner.del(area, key) }
  entries<T> (area: Parameters<Store['entries']>[0], range?: Parameters<Store['entries']>[1]): AsyncIterable<[string, T]> { return this.inner.entries<T>(area, range) }
  clear (area: Parameters<Store['clear']>[0], range?: Parameters<Store['clear']>[1]): Promise<void> { return this.inner.clear(area, range) }
  batch (): StoreBatch {
    const inner = this.inner.batch()
    const b: StoreBatch = {
      put (area, key, value) { inner.put(area, key, value); return b },
      del (area, key) { inner.del(area, key); return b },
      get length () { return inner.length },
      write: async () => { this.check(); await inner.write() }
    }
    return b
  }
}

/**
 * A file stream survives errors and keeps every line: a sink that refuses batches (what a full
 * disk does to the store write), a file replaced by a directory (reads fail with EISDIR). Real
 * files, real LevelDB, real timers with small backoffs.
 */
import { test, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { appendFile, mkdir, mkdtemp, rm, rmdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '../../src/common/logger.ts'
import { createStore, type Store } from '../../src/store/index.ts'
import { FileSource } from '../../src/detect/file-source.ts'
import type { LineBatch } from '../../src/detect/runner.ts'

const BACKOFF = { initial: 20, max: 80, resetAfter: 1000 }

async function until (cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

async function setup (): Promise<{ dir: string, path: string, store: Store }> {
  const dir = await mkdtemp(join(tmpdir(), 'pal-file-faults-'))
  after(() => rm(dir, { recursive: true, force: true }))
  const store = createStore({ path: join(dir, 'db') })
  await store.start()
  after(() => store.stop())
  return { dir, path: join(dir, 'auth.log'), store }
}

function enospc (): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
}

describe('file stream faults', () => {
  test('a sink that refuses 3 batches (disk full), then accepts: every line arrives once, in order', async () => {
    const { path, store } = await setup()
    await writeFile(path, 'old line\n')
    const got: string[] = []
    let refuse = 0
    const src = new FileSource({
      name: 's',
      path,
      store,
      maxLineBytes: 4096,
      log: silentLogger(),
      pollMs: 10,
      backoff: BACKOFF,
      sink: async (b: LineBatch) => {
        if (refuse > 0 && b.lines.length > 0) { refuse--; throw enospc() }
        got.push(...b.lines)
      }
    })
    await src.start()
    after(() => src.stop())
    await appendFile(path, 'a1\na2\n')
    await until(() => got.length === 2, 'the first lines')
    refuse = 3
    await appendFile(path, 'b1\nb2\n')
    await until(() => src.status().state === 'retrying', 'the stream retrying')
    await until(() => refuse === 0 && got.length === 4, 'the refused lines read again')
    await appendFile(path, 'c1\n')
    await until(() => got.length === 5, 'lines after recovery')
    assert.deepEqual(got, ['a1', 'a2', 'b1', 'b2', 'c1'])
    const st = src.status()
    assert.equal(st.state, 'running')
    assert.deepEqual(st.errors, { ENOSPC: 3 })
    assert.equal(st.restarts, 3)
    assert.equal(st.lastError?.kind, 'ENOSPC')
  })

  test('the starting position refused at start (disk full): the stream still starts, then stores it', async () => {
    const { path, store } = await setup()
    await writeFile(path, 'old\n')
    const got: string[] = []
    const checkpoints: unknown[] = []
    let refuse = 2
    const src = new FileSource({
      name: 's',
      path,
      store,
      maxLineBytes: 4096,
      log: silentLogger(),
      pollMs: 10,
      backoff: BACKOFF,
      sink: async (b: LineBatch) => {
        if (refuse > 0) { refuse--; throw enospc() }
        got.push(...b.lines)
        checkpoints.push(b.checkpoint)
      }
    })
    await src.start()
    after(() => src.stop())
    await until(() => checkpoints.length > 0, 'the starting position stored after the refusals')
    await appendFile(path, 'new\n')
    await until(() => got.length === 1, 'the appended line')
    assert.deepEqual(got, ['new'])
    assert.equal(src.status().errors.ENOSPC, 2)
  })

  test('the file replaced by a directory (reads fail), then by a file again: reading goes on', async () => {
    const { path, store } = await setup()
    await writeFile(path, '')
    const got: string[] = []
    const src = new FileSource({ name: 's', path, store, maxLineBytes: 4096, log: silentLogger(), pollMs: 10, backoff: BACKOFF, sink: async b => { got.push(...b.lines) } })
    await src.start()
    after(() => src.stop())
    await appendFile(path, 'x1\n')
    await until(() => got.length === 1, 'x1')
    await rm(path)
    await mkdir(path)
    await until(() => (src.status().errors.EISDIR ?? 0) >= 1, 'a read failing with EISDIR')
    await rmdir(path)
    await writeFile(path, 'y1\ny2\n')
    await until(() => got.length === 3, 'the new file read')
    assert.deepEqual(got, ['x1', 'y1', 'y2'])
    assert.equal(src.status().state, 'running')
  })

  test('a file missing at start (and its directory): waiting and listed as missing, then followed from its start', async () => {
    const { dir, store } = await setup()
    const path = join(dir, 'later', 'app.log')
    const got: string[] = []
    const warned: string[] = []
    const log = silentLogger()
    log.warn = ((_o: unknown, msg?: string) => { warned.push(String(msg)) }) as typeof log.warn
    const src = new FileSource({ name: 's', path, store, maxLineBytes: 4096, log, pollMs: 10, backoff: BACKOFF, sink: async b => { got.push(...b.lines) } })
    await src.start()
    after(() => src.stop())
    assert.deepEqual(warned, ['file stream: neither the file nor its directory exists; waiting for it'])
    await until(() => src.status().state === 'waiting', 'waiting')
    assert.deepEqual(src.status().missing, [path])
    await mkdir(join(dir, 'later'))
    await writeFile(path, 'first\n')
    await until(() => got.length === 1, 'the file read from its start')
    assert.deepEqual(src.status().files, [path])
    assert.equal(src.status().state, 'running')
  })
})

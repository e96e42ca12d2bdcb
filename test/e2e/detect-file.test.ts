import { test, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { appendFile, mkdtemp, rename, rm, truncate, writeFile, copyFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ManualClock } from '../../src/common/clock.ts'
import { silentLogger } from '../../src/common/logger.ts'
import { createStore, type Store } from '../../src/store/index.ts'
import { createDetector, type Detector, type Trigger } from '../../src/detect/index.ts'
import { filter, ipPattern } from '../unit/detect/fixtures.ts'

async function until (cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

const lines = (from: number, n: number): string => {
  let s = ''
  for (let i = from; i < from + n; i++) s += `sshd[1]: Failed password for u${i} from 198.51.${(i >> 8) & 255}.${i & 255} port 22 ssh2\n`
  return s
}

async function setup (): Promise<{ dir: string, path: string, store: Store }> {
  const dir = await mkdtemp(join(tmpdir(), 'pal-file-'))
  after(() => rm(dir, { recursive: true, force: true }))
  const store = createStore({ path: join(dir, 'db') })
  await store.start()
  after(() => store.stop())
  return { dir, path: join(dir, 'auth.log'), store }
}

function detector (path: string, store: Store, seen: Trigger[]): Detector {
  const det = createDetector({
    streams: [{ name: 'ssh', cmd: [], source: { kind: 'file', path }, filters: [filter(['Failed password for .* from <ip> port \\d+'], { stream: 'ssh' })] }],
    patterns: { ip: ipPattern() },
    limits: { maxTrackedKeys: 1000, maxLineBytes: 4096 },
    onTrigger: async t => { seen.push(t) }
  }, { logger: silentLogger(), clock: new ManualClock(), store }, { pollMs: 20 })
  after(() => det.stop())
  return det
}

describe('file follower', () => {
  test('starts at the end, then reads appended lines (partial lines joined)', async () => {
    const { path, store } = await setup()
    await writeFile(path, lines(0, 10))
    const seen: Trigger[] = []
    const det = detector(path, store, seen)
    await det.start()
    const chunk = lines(10, 5)
    await appendFile(path, chunk.slice(0, 30))
    await appendFile(path, chunk.slice(30))
    await until(() => seen.length === 5, '5 matches')
    assert.deepEqual(seen.map(t => t.match.ip), ['198.51.0.10', '198.51.0.11', '198.51.0.12', '198.51.0.13', '198.51.0.14'])
  })

  test('a file appearing later is read from its start', async () => {
    const { path, store } = await setup()
    const seen: Trigger[] = []
    const det = detector(path, store, seen)
    await det.start()
    await writeFile(path, lines(0, 7))
    await until(() => seen.length === 7, '7 matches')
  })

  test('rename rotation under load: every line exactly once', async () => {
    const { path, store } = await setup()
    await writeFile(path, '')
    const seen: Trigger[] = []
    const det = detector(path, store, seen)
    await det.start()
    let n = 0
    for (let round = 0; round < 5; round++) {
      for (let k = 0; k < 20; k++) { await appendFile(path, lines(n, 50)); n += 50 }
      await rename(path, `${path}.1`)
      await appendFile(`${path}.1`, lines(n, 50)) // late writes to the old file, before the writer reopens
      n += 50
      await writeFile(path, lines(n, 50))
      n += 50
    }
    await until(() => seen.length >= n, `${n} matches`)
    const ips = seen.map(t => t.match.key)
    assert.equal(new Set(ips).size, n, 'no line counted twice')
    assert.equal(seen.length, n)
  })

  test('copytruncate: a size below the offset restarts at 0', async () => {
    const { path, store } = await setup()
    await writeFile(path, '')
    const seen: Trigger[] = []
    const det = detector(path, store, seen)
    await det.start()
    await appendFile(path, lines(0, 20))
    await until(() => seen.length === 20, '20 matches')
    await copyFile(path, `${path}.1`)
    await truncate(path, 0)
    await appendFile(path, lines(20, 3))
    await until(() => seen.length === 23, '23 matches')
    assert.equal(seen[22].match.ip, '198.51.0.22')
  })

  test('restart resumes at the checkpoint: lines written while down are read once', async () => {
    const { path, store } = await setup()
    await writeFile(path, '')
    const seen: Trigger[] = []
    const a = detector(path, store, seen)
    await a.start()
    await appendFile(path, lines(0, 10))
    await until(() => seen.length === 10, '10 matches')
    await a.stop()
    await appendFile(path, lines(10, 10))
    const b = detector(path, store, seen)
    await b.start()
    await until(() => seen.length === 20, '20 matches')
    await b.stop()
    // rotated while down: the rest of the old file (now auth.log.1), then the new one from 0
    await appendFile(path, lines(20, 5))
    await rename(path, `${path}.1`)
    await writeFile(path, lines(25, 5))
    const c = detector(path, store, seen)
    await c.start()
    await until(() => seen.length === 30, '30 matches')
    assert.equal(new Set(seen.map(t => t.match.key)).size, 30)
  })
})

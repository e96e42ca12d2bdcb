/**
 * detector.reconfigure on real files and a real LevelDB: a changed stream restarts at the exact
 * position after its last line (neither re-read from the start nor skipped to the end), an
 * unchanged stream is not touched, a removed one takes its counters with it, an added one starts.
 */
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ManualClock } from '../../src/common/clock.ts'
import { silentLogger } from '../../src/common/logger.ts'
import type { StreamConfig } from '../../src/config/types.ts'
import { createStore } from '../../src/store/index.ts'
import { storedCounters } from '../../src/detect/counter-log.ts'
import { createDetector, type Trigger } from '../../src/detect/index.ts'
import { filter, ipPattern } from '../unit/detect/fixtures.ts'
import { waitFor } from '../helpers/wait.ts'

const REGEX = ['Failed password for .* from <ip> port \\d+']
const line = (ip: string): string => `sshd[1]: Failed password for u from ${ip} port 22 ssh2\n`
const HOUR = 3_600_000

test('reconfigure: restart from the checkpoint, untouched, removed, added', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pal-reload-det-'))
  after(() => rm(dir, { recursive: true, force: true }))
  const store = createStore({ path: join(dir, 'db') })
  await store.start()
  after(() => store.stop())
  const files = { a: join(dir, 'a.log'), b: join(dir, 'b.log'), c: join(dir, 'c.log') }
  for (const f of Object.values(files)) await writeFile(f, '')
  const stream = (name: 'a' | 'b' | 'c', retry: number): StreamConfig => ({
    name, cmd: [], source: { kind: 'file', path: files[name] }, filters: [filter(REGEX, { stream: name, retry, retryperiod: HOUR })]
  })
  const seen: Trigger[] = []
  const det = createDetector({
    streams: [stream('a', 5), stream('b', 5)],
    patterns: { ip: ipPattern() },
    limits: { maxTrackedKeys: 1000, maxLineBytes: 4096 },
    onTrigger: async t => { seen.push(t) }
  }, { logger: silentLogger(), clock: new ManualClock(), store }, { pollMs: 10 })
  after(() => det.stop())
  await det.start()
  const count = (f: string, ip: string): number | undefined => det.counters(ip).find(c => c.filter === f)?.count

  await appendFile(files.a, line('203.0.113.1'))
  await appendFile(files.b, line('203.0.113.2'))
  await waitFor('both lines counted', () => count('a.f', '203.0.113.1') === 1 && count('b.f', '203.0.113.2') === 1)
  const bSource = (det as unknown as { running: Map<string, { source: unknown }> }).running.get('b')?.source

  // a changes (retry 5 → 3), b stays, c is added
  await det.reconfigure([stream('a', 3), stream('b', 5), stream('c', 2)], { ip: ipPattern() }, new Set(['a']))
  assert.equal((det as unknown as { running: Map<string, { source: unknown }> }).running.get('b')?.source, bSource, 'b kept its source')
  assert.deepEqual(det.streamStatus().map(s => s.stream), ['a', 'b', 'c'])

  // a marker line after the restart: once it is counted, a re-read of the earlier line would be too
  await appendFile(files.a, line('203.0.113.9'))
  await waitFor('a reads on after its restart', () => count('a.f', '203.0.113.9') === 1)
  assert.equal(count('a.f', '203.0.113.1'), 1, 'the line read before the restart was not read again')
  await appendFile(files.a, line('203.0.113.1').repeat(2))
  await waitFor('a triggers under its new retry', () => seen.some(t => t.filter.id === 'a.f'))
  assert.equal(seen.find(t => t.filter.id === 'a.f')?.count, 3)

  await appendFile(files.c, line('203.0.113.3').repeat(2))
  await waitFor('the added stream triggers', () => seen.some(t => t.filter.id === 'c.f'))

  // b removed: its counters go, in memory and in the store
  await det.reconfigure([stream('a', 3), stream('c', 2)], { ip: ipPattern() }, new Set())
  assert.equal(count('b.f', '203.0.113.2'), undefined)
  assert.equal((await storedCounters(store)).get('b.f\u0000203.0.113.2'), undefined)
  assert.deepEqual(det.streamStatus().map(s => s.stream), ['a', 'c'])
  await appendFile(files.b, line('203.0.113.2'))
  await new Promise(resolve => setTimeout(resolve, 100))
  assert.equal(count('b.f', '203.0.113.2'), undefined, 'a removed stream reads nothing')
})

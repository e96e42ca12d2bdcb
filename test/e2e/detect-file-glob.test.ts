/**
 * `file:` with a glob (fail2ban's Debian defaults: `/var/log/apache2/*error.log`): every matching
 * file is followed with its own position, files that appear later are read from their start, a
 * glob matching nothing is reported in streamStatus() and picked up once a file appears.
 */
import { test, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { appendFile, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
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

const line = (ip: string): string => `sshd[1]: Failed password for u from ${ip} port 22 ssh2\n`

async function setup (): Promise<{ dir: string, store: Store }> {
  const dir = await mkdtemp(join(tmpdir(), 'pal-glob-'))
  after(() => rm(dir, { recursive: true, force: true }))
  const store = createStore({ path: join(dir, 'db') })
  await store.start()
  after(() => store.stop())
  return { dir, store }
}

function detector (pattern: string, store: Store, seen: Trigger[]): Detector {
  const det = createDetector({
    streams: [{ name: 'web', cmd: [], source: { kind: 'file', path: pattern }, filters: [filter(['Failed password for .* from <ip> port \\d+'], { stream: 'web' })] }],
    patterns: { ip: ipPattern() },
    limits: { maxTrackedKeys: 1000, maxLineBytes: 4096 },
    onTrigger: async t => { seen.push(t) }
  }, { logger: silentLogger(), clock: new ManualClock(), store }, { pollMs: 10, rescanMs: 30 })
  after(() => det.stop())
  return det
}

const ips = (seen: Trigger[]): string[] => seen.map(t => t.match.ip!).sort()

describe('file: globs', () => {
  test('each matching file followed; a later file read from its start; others ignored; restart resumes each', async () => {
    const { dir, store } = await setup()
    const logs = join(dir, 'nginx')
    await mkdir(logs)
    await writeFile(join(logs, 'a-error.log'), line('192.0.2.1'))
    await writeFile(join(logs, 'b-error.log'), line('192.0.2.2'))
    await writeFile(join(logs, 'access.log'), '')
    const seen: Trigger[] = []
    const pattern = join(logs, '*error.log')
    const det = detector(pattern, store, seen)
    await det.start()
    assert.deepEqual(det.streamStatus()[0].files, [join(logs, 'a-error.log'), join(logs, 'b-error.log')])
    await appendFile(join(logs, 'a-error.log'), line('198.51.100.1'))
    await appendFile(join(logs, 'b-error.log'), line('198.51.100.2'))
    await appendFile(join(logs, 'access.log'), line('198.51.100.99'))
    await writeFile(join(logs, 'c-error.log'), line('198.51.100.3'))
    await until(() => seen.length === 3, 'three matches')
    assert.deepEqual(ips(seen), ['198.51.100.1', '198.51.100.2', '198.51.100.3'])
    await det.stop()
    // written while stopped: each file resumes at its own position
    await appendFile(join(logs, 'a-error.log'), line('203.0.113.1'))
    await appendFile(join(logs, 'c-error.log'), line('203.0.113.3'))
    const again: Trigger[] = []
    const det2 = detector(pattern, store, again)
    await det2.start()
    await until(() => again.length === 2, 'two matches after restart')
    assert.deepEqual(ips(again), ['203.0.113.1', '203.0.113.3'])
  })

  test('a rotated file matching the glob too is not read twice', async () => {
    const { dir, store } = await setup()
    const seen: Trigger[] = []
    await writeFile(join(dir, 'x.log'), '')
    const det = detector(join(dir, 'x.log*'), store, seen)
    await det.start()
    await appendFile(join(dir, 'x.log'), line('198.51.100.7'))
    await until(() => seen.length === 1, 'one match')
    await rename(join(dir, 'x.log'), join(dir, 'x.log.1'))
    await writeFile(join(dir, 'x.log'), line('198.51.100.8'))
    await until(() => seen.length === 2, 'the new file')
    await new Promise(resolve => setTimeout(resolve, 200)) // several rescans
    assert.deepEqual(ips(seen), ['198.51.100.7', '198.51.100.8'])
  })

  test('a glob matching nothing is visible in streamStatus, and followed once a file appears', async () => {
    const { dir, store } = await setup()
    const seen: Trigger[] = []
    const pattern = join(dir, 'later', '*.log')
    const det = detector(pattern, store, seen)
    await det.start()
    assert.deepEqual(det.streamStatus()[0].missing, [pattern])
    await mkdir(join(dir, 'later'))
    await writeFile(join(dir, 'later', 'app.log'), line('198.51.100.5'))
    await until(() => seen.length === 1, 'the new file read from its start')
    assert.equal(det.streamStatus()[0].missing, undefined)
  })
})

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ManualClock } from '../../src/common/clock.ts'
import { silentLogger } from '../../src/common/logger.ts'
import { createStore } from '../../src/store/index.ts'
import { storedCounters } from '../../src/detect/counter-log.ts'
import { CommandSource } from '../../src/detect/command-source.ts'
import { createDetector, type Trigger } from '../../src/detect/index.ts'
import { commandStream, filter, ipPattern } from '../unit/detect/fixtures.ts'

/** wait for a real process event (not time logic): poll a condition */
async function until (cond: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!await cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

test('a command that exits is restarted with doubling backoff, stdout and stderr both read', async () => {
  const clock = new ManualClock()
  const lines: string[] = []
  const src = new CommandSource({
    name: 't',
    argv: () => [process.execPath, '-e', 'console.log("out 192.0.2.1"); console.error("err 192.0.2.2"); process.exit(3)'],
    sink: async b => { lines.push(...b.lines) },
    matchStderr: true,
    maxLineBytes: 1000,
    clock,
    log: silentLogger(),
    backoff: { initial: 1000, max: 4000, resetAfter: 60_000 }
  })
  after(() => src.stop())
  await src.start()
  await until(() => src.runs === 1 && clock.pending() === 1, 'first exit')
  assert.deepEqual(lines.sort(), ['err 192.0.2.2', 'out 192.0.2.1'])
  assert.equal(src.currentDelay, 1000)
  clock.advance(999)
  assert.equal(src.pid, undefined, 'not restarted before the delay')
  clock.advance(1)
  await until(() => src.runs === 2 && clock.pending() === 1, 'second exit')
  assert.equal(src.currentDelay, 2000)
  clock.advance(2000)
  await until(() => src.runs === 3 && clock.pending() === 1, 'third exit')
  assert.equal(src.currentDelay, 4000)
  clock.advance(4000)
  await until(() => src.runs === 4 && clock.pending() === 1, 'fourth exit')
  assert.equal(src.currentDelay, 4000, 'capped')
  assert.equal(lines.length, 8)
  await src.stop()
  assert.equal(clock.pending(), 0, 'stop cancels the pending restart')
})

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  // a zombie is dead too
  return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
}

test('stop kills the whole process group, grandchildren included', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pal-cmd-'))
  after(() => rm(dir, { recursive: true, force: true }))
  const pidFile = join(dir, 'grandchild.pid')
  const src = new CommandSource({
    name: 't',
    argv: () => ['sh', '-c', `sleep 1000 & echo $! > ${pidFile}; wait`],
    sink: async () => {},
    matchStderr: true,
    maxLineBytes: 1000,
    clock: new ManualClock(),
    log: silentLogger()
  })
  await src.start()
  let grandchild = 0
  await until(async () => {
    grandchild = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim())
    return grandchild > 0
  }, 'the grandchild pid')
  after(() => { try { process.kill(grandchild, 'SIGKILL') } catch {} })
  assert.equal(alive(grandchild), true)
  await src.stop()
  await until(() => !alive(grandchild), 'the grandchild to die', 5000)
})

test('detector on a command stream: retry counts across lines and triggers once stored', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pal-det-'))
  after(() => rm(dir, { recursive: true, force: true }))
  const store = createStore({ path: dir })
  await store.start()
  after(() => store.stop())
  const f = filter(['fail from <ip>'], { stream: 'c', retry: 2, retryperiod: 60_000 })
  const script = 'for (const ip of ["192.0.2.1","192.0.2.9","192.0.2.1"]) console.log("fail from " + ip); setInterval(() => {}, 1000)'
  const triggers: Trigger[] = []
  const stored: unknown[] = []
  const det = createDetector({
    streams: [commandStream('c', [process.execPath, '-e', script], [f])],
    patterns: { ip: ipPattern() },
    limits: { maxTrackedKeys: 100, maxLineBytes: 1000 },
    onTrigger: async t => {
      // the counter reset is already durable when the trigger is handed on
      stored.push((await storedCounters(store)).get(`c.f\0${t.match.key}`))
      triggers.push(t)
    }
  }, { logger: silentLogger(), clock: new ManualClock(), store })
  await det.start()
  after(() => det.stop())
  await until(() => triggers.length === 1 && det.counters().length === 1, 'the trigger')
  assert.equal(triggers[0].match.ip, '192.0.2.1')
  assert.equal(triggers[0].count, 2)
  assert.deepEqual(stored, [undefined])
  assert.deepEqual(det.counters().map(c => [c.key, c.count]), [['192.0.2.9', 1]])
  await det.stop()
  assert.equal((await storedCounters(store)).get('c.f\x00192.0.2.9')?.length, 1)
  await det.reset('192.0.2.9')
  assert.equal((await storedCounters(store)).get('c.f\x00192.0.2.9'), undefined)
})

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createStore } from '../../src/store/index.ts'
import { storedCounters } from '../../src/detect/counter-log.ts'

/**
 * Exactly-once across crashes: a real child process runs the detector on a file and is
 * `kill -9`ed at arbitrary points between writes; after restarts the stored counter holds
 * exactly one time per line written (no line missed, none counted twice).
 */
const RUNNER = join(import.meta.dirname, 'fixtures', 'detect-runner.ts')

interface Runner { child: ChildProcess, count: number, ready: Promise<void>, exited: Promise<void> }

function run (db: string, log: string): Runner {
  const child = spawn(process.execPath, [RUNNER, db, log], { stdio: ['ignore', 'pipe', 'inherit'] })
  after(() => { child.kill('SIGKILL') })
  const r: Runner = { child, count: 0, ready: Promise.resolve(), exited: Promise.resolve() }
  r.exited = new Promise(resolve => child.once('exit', () => resolve()))
  r.ready = new Promise((resolve, reject) => {
    let buf = ''
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString()
      let nl: number
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 1)
        if (line === 'ready') resolve()
        else if (line.startsWith('count ')) r.count = Number(line.slice(6))
      }
    })
    child.once('exit', code => reject(new Error(`runner exited early (${code})`)))
  })
  return r
}

const line = (i: number): string => `sshd[7]: Failed password for invalid user x from 1.2.3.4 from 198.51.100.9 port ${i} ssh2\n`

test('kill -9 between and during writes, restart: exact total count', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pal-crash-'))
  after(() => rm(dir, { recursive: true, force: true }))
  const db = join(dir, 'db')
  const log = join(dir, 'auth.log')
  await writeFile(log, 'noise before the first start\n')
  let written = 0
  for (let round = 0; round < 6; round++) {
    const r = run(db, log)
    await r.ready
    for (let k = 0; k < 10; k++) {
      let chunk = ''
      for (let j = 0; j < 40; j++) chunk += line(written++)
      chunk += 'unrelated line\n'
      await appendFile(log, chunk)
      if (k % 3 === round % 3) await new Promise(resolve => setImmediate(resolve))
    }
    // kill at a different moment each round: at once, or after some lines were processed
    if (round % 2 === 1) {
      const target = written - 200
      const end = Date.now() + 10_000
      while (r.count < target && Date.now() < end) await new Promise(resolve => setTimeout(resolve, 2))
    }
    r.child.kill('SIGKILL')
    await r.exited
    // lines written while it is down are read at the next start
    let chunk = ''
    for (let j = 0; j < 25; j++) chunk += line(written++)
    await appendFile(log, chunk)
  }
  const last = run(db, log)
  await last.ready
  const end = Date.now() + 30_000
  while (last.count < written && Date.now() < end) await new Promise(resolve => setTimeout(resolve, 10))
  last.child.kill('SIGTERM')
  await last.exited
  const store = createStore({ path: db })
  await store.start()
  after(() => store.stop())
  const times = (await storedCounters(store)).get('ssh.f\x00198.51.100.9')
  assert.equal(times?.length, written, `stored count ${times?.length} for ${written} lines written`)
  assert.equal(last.count, written)
})

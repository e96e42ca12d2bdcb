import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ManualClock, systemClock } from '../../src/common/clock.ts'
import { silentLogger } from '../../src/common/logger.ts'
import { createStore, type Store } from '../../src/store/index.ts'
import { createDetector, type Trigger } from '../../src/detect/index.ts'
import { JournalSource } from '../../src/detect/journal.ts'
import { filter, ipPattern } from '../unit/detect/fixtures.ts'

async function until (cond: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!await cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

function journalDetector (store: Store, seen: Trigger[], matches: string[]) {
  return createDetector({
    streams: [{ name: 'j', cmd: [], source: { kind: 'journal', matches }, filters: [filter(['Failed password for .* from <ip> port \\d+'], { stream: 'j' })] }],
    patterns: { ip: ipPattern() },
    limits: { maxTrackedKeys: 100, maxLineBytes: 4096 },
    onTrigger: async t => { seen.push(t) }
  }, { logger: silentLogger(), clock: new ManualClock(), store })
}

const journalUsable = ((): string | null => {
  const v = spawnSync('journalctl', ['--version'])
  if (v.status !== 0) return 'journalctl is not installed'
  const n = spawnSync('journalctl', ['-n1', '-o', 'json', '-q'])
  if (n.status !== 0 || n.stdout.toString().trim() === '') return 'no readable systemd journal on this machine (journald not running)'
  if (spawnSync('systemd-cat', ['--version']).status !== 0) return 'systemd-cat is missing'
  return null
})()

test('real journald: an entry written with systemd-cat is matched', { skip: journalUsable ?? false }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pal-journal-'))
  after(() => rm(dir, { recursive: true, force: true }))
  const store = createStore({ path: dir })
  await store.start()
  after(() => store.stop())
  const seen: Trigger[] = []
  const tag = `palisade-test-${process.pid}`
  const det = journalDetector(store, seen, [`SYSLOG_IDENTIFIER=${tag}`])
  await det.start()
  after(() => det.stop())
  await new Promise(resolve => setTimeout(resolve, 500)) // journalctl -n0 must be following before we write
  spawnSync('systemd-cat', ['-t', tag], { input: 'Failed password for x from 192.0.2.77 port 22 ssh2\n' })
  await until(() => seen.length === 1, 'the journal entry')
  assert.equal(seen[0].match.ip, '192.0.2.77')
  assert.equal(typeof (await store.get<{ cursor: string }>('checkpoints', 'j'))?.cursor, 'string')
})

/**
 * Without journald here, a stand-in `journalctl` (a real child process first on PATH) records
 * its argv and prints JSON entries: with nothing stored, the detector asks for the newest entry's
 * cursor (`-n1`, no `--follow`), stores it at once and follows after it (a stop or kill before the
 * first entry then skips nothing); it stores the cursor with the counters and resumes with
 * --after-cursor after a restart.
 */
test('journal stream resumes after the stored cursor (stand-in journalctl)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pal-journal-'))
  after(() => rm(dir, { recursive: true, force: true }))
  const argvLog = join(dir, 'argv.log')
  const bin = join(dir, 'bin')
  await writeFile(join(dir, 'entries'), [
    JSON.stringify({ MESSAGE: 'Failed password for x from 192.0.2.1 port 22 ssh2', __CURSOR: 'c1', __REALTIME_TIMESTAMP: '1767225600000000' }),
    JSON.stringify({ MESSAGE: [...Buffer.from('Failed password for \xff from 192.0.2.2 port 22 ssh2', 'latin1')], __CURSOR: 'c2' })
  ].join('\n') + '\n')
  await mkdir(bin)
  await writeFile(join(bin, 'journalctl'), `#!/bin/sh\necho "$*" >> ${argvLog}\ncase "$*" in *--follow*) ;; *) echo '{"__CURSOR":"c0"}'; exit 0 ;; esac\ncat ${join(dir, 'entries')}\nexec sleep 1000\n`)
  await chmod(join(bin, 'journalctl'), 0o755)
  const oldPath = process.env.PATH
  process.env.PATH = `${bin}:${oldPath}`
  after(() => { process.env.PATH = oldPath })
  const store = createStore({ path: join(dir, 'db') })
  await store.start()
  after(() => store.stop())
  const seen: Trigger[] = []
  const a = journalDetector(store, seen, ['_SYSTEMD_UNIT=ssh.service'])
  await a.start()
  after(() => a.stop())
  await until(async () => (await store.get('checkpoints', 'j')) !== undefined, 'the starting position stored')
  await until(() => seen.length === 2, 'two entries')
  assert.deepEqual(seen.map(t => [t.match.ip, t.match.time]), [['192.0.2.1', 1767225600000], ['192.0.2.2', new ManualClock().now()]])
  await a.stop()
  assert.deepEqual(await store.get('checkpoints', 'j'), { kind: 'journal', cursor: 'c2' })
  const b = journalDetector(store, seen, ['_SYSTEMD_UNIT=ssh.service'])
  await b.start()
  after(() => b.stop())
  await until(async () => (await readFile(argvLog, 'utf8')).trim().split('\n').length === 3, 'the second journalctl')
  const runs = (await readFile(argvLog, 'utf8')).trim().split('\n')
  assert.match(runs[0], /^-n1 .*-o json/)
  assert.doesNotMatch(runs[0], /--follow/)
  assert.match(runs[1], / --after-cursor=c0 _SYSTEMD_UNIT=ssh\.service$/)
  assert.match(runs[2], / --after-cursor=c2 _SYSTEMD_UNIT=ssh\.service$/)
  assert.doesNotMatch(runs.join(' '), /cursor-file/)
})

/**
 * Nothing stored and no entry yet: the starting position (the newest entry's cursor) is stored
 * before any entry arrives, so a stop or kill now does not skip what is written meanwhile.
 * With the old `-n0` start nothing was stored until the first matching entry.
 */
test('journal stream stores its starting position before its first entry (stand-in journalctl)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pal-journal-'))
  after(() => rm(dir, { recursive: true, force: true }))
  const bin = join(dir, 'bin')
  const argvLog = join(dir, 'argv.log')
  await mkdir(bin)
  await writeFile(join(bin, 'journalctl'), `#!/bin/sh\necho "$*" >> ${argvLog}\ncase "$*" in *--follow*) exec sleep 1000 ;; esac\necho '{"__CURSOR":"s=newest;i=9"}'\n`)
  await chmod(join(bin, 'journalctl'), 0o755)
  const oldPath = process.env.PATH
  process.env.PATH = `${bin}:${oldPath}`
  after(() => { process.env.PATH = oldPath })
  const store = createStore({ path: join(dir, 'db') })
  await store.start()
  after(() => store.stop())
  const d = journalDetector(store, [], ['_SYSTEMD_UNIT=ssh.service'])
  await d.start()
  after(() => d.stop())
  await until(async () => (await store.get<{ cursor: string }>('checkpoints', 'j'))?.cursor === 's=newest;i=9', 'the starting cursor stored')
  await until(async () => (await readFile(argvLog, 'utf8')).includes('--follow'), 'journalctl following')
  assert.match(await readFile(argvLog, 'utf8'), /--after-cursor=s=newest;i=9 _SYSTEMD_UNIT=ssh\.service\n$/)
  assert.equal(d.streamStatus()[0].state, 'running')
  assert.equal(d.streamStatus()[0].kind, 'journal')
})

/**
 * A batch the runner refuses (a full disk) must not be skipped: journalctl is restarted after
 * backoff from the last cursor that went through, and the refused entries come again.
 */
test('journal stream: a refused batch restarts journalctl from the last accepted cursor (stand-in journalctl)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pal-journal-'))
  after(() => rm(dir, { recursive: true, force: true }))
  const bin = join(dir, 'bin')
  const argvLog = join(dir, 'argv.log')
  await mkdir(bin)
  const entry = (c: string, ip: string): string => JSON.stringify({ MESSAGE: `Failed password for x from ${ip} port 22 ssh2`, __CURSOR: c })
  // each run prints the entries after the cursor it was given, then follows
  await writeFile(join(dir, 'entries'), [entry('c1', '192.0.2.1'), entry('c2', '192.0.2.2'), entry('c3', '192.0.2.3')].join('\n') + '\n')
  await writeFile(join(bin, 'journalctl'), `#!/bin/sh
echo "$*" >> ${argvLog}
case "$*" in *--follow*) ;; *) echo '{"__CURSOR":"c0"}'; exit 0 ;; esac
after=$(echo "$*" | sed -n 's/.*--after-cursor=\\([^ ]*\\).*/\\1/p')
case "$after" in c0) cat ${join(dir, 'entries')} ;; c1) tail -n2 ${join(dir, 'entries')} ;; c2) tail -n1 ${join(dir, 'entries')} ;; esac
exec sleep 1000
`)
  await chmod(join(bin, 'journalctl'), 0o755)
  const oldPath = process.env.PATH
  process.env.PATH = `${bin}:${oldPath}`
  after(() => { process.env.PATH = oldPath })
  const store = createStore({ path: join(dir, 'db') })
  await store.start()
  after(() => store.stop())
  const got: string[] = []
  let refused = 0
  const src = new JournalSource({
    name: 'j',
    matches: ['_SYSTEMD_UNIT=ssh.service'],
    store,
    maxLineBytes: 4096,
    clock: systemClock,
    log: silentLogger(),
    backoff: { initial: 20, max: 80, resetAfter: 60_000 },
    sink: async b => {
      // the first batch holding 192.0.2.2 is refused
      if (refused === 0 && b.lines.some(l => l.includes('192.0.2.2'))) {
        refused++
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
      }
      got.push(...b.lines)
    }
  })
  await src.start()
  after(() => src.stop())
  await until(() => got.some(l => l.includes('192.0.2.3')), 'the entries after the refused batch')
  assert.ok(got.some(l => l.includes('192.0.2.2')), 'the refused entry came again')
  assert.equal(new Set(got).size, got.length, 'nothing delivered twice')
  assert.equal(src.status().errors.ENOSPC, 1)
  assert.ok(src.status().restarts >= 1)
  assert.match(await readFile(argvLog, 'utf8'), /--after-cursor=c0 [\s\S]*--after-cursor=c/)
})

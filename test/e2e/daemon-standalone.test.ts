/**
 * The foundation end to end with real processes: `palisade start` on a reaction-style config with
 * a real `tail -F` stream, real LevelDB, real actions, the CLI over the control socket, and a real
 * kill -9 between writes. Firewall backend `none`: the kernel side is tested in firewall-*.test.ts.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFile, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tempDir } from '../helpers/tmp.ts'
import { waitFor } from '../helpers/wait.ts'
import { cli, startDaemon } from '../helpers/daemon.ts'

const APPEND = join(import.meta.dirname, '../fixtures/bin/append.mjs')

async function setup () {
  const dir = await tempDir('palisade-e2e-')
  const log = join(dir, 'auth.log')
  const actions = join(dir, 'actions.out')
  const socket = join(dir, 'palisade.sock')
  await writeFile(log, '')
  const config = join(dir, 'palisade.yml')
  await writeFile(config, `
state: ${join(dir, 'state')}
socket: ${socket}
patterns:
  ip:
    type: ip
    ignore: [127.0.0.1, ::1]
streams:
  ssh:
    cmd: [tail, -n0, -F, ${log}]
    filters:
      failedlogin:
        regex:
          - 'Failed password for .* from <ip> port \\d+'
        retry: 3
        retryperiod: 6h
        ban: 1h
        actions:
          notify:
            cmd: [${process.execPath}, ${APPEND}, ${actions}, ban, <ip>]
          unban:
            cmd: [${process.execPath}, ${APPEND}, ${actions}, unban, <ip>]
            after: 1h
firewall:
  backend: none
`)
  const fail = (ip: string, user = 'root') => appendFile(log, `Nov 23 14:09:01 host sshd[123]: Failed password for ${user} from ${ip} port 4711 ssh2\n`)
  const show = async (ip?: string) => {
    const r = await cli(['-s', socket, 'show', '--json', ...(ip === undefined ? [] : [ip])])
    assert.equal(r.code, 0, r.stderr)
    return JSON.parse(r.stdout)
  }
  return { dir, log, actions, socket, config, fail, show }
}

test('three failures ban; the ban, its pending action and the counters survive kill -9', async () => {
  const s = await setup()
  let d = await startDaemon(s.config, s.socket)
  // a tail stream only sees lines written after it started: wait until it runs
  await waitFor('tail running', () => d.log().includes('stream started') || d.log().includes('"stream":"ssh"'), 10_000).catch(() => {})
  await new Promise(resolve => setTimeout(resolve, 300))
  for (let i = 0; i < 3; i++) await s.fail('203.0.113.7')
  const banned = await waitFor('ban of 203.0.113.7', async () => (await s.show()).bans.find((b: { ip: string }) => b.ip === '203.0.113.7'))
  assert.equal(banned.filter, 'ssh.failedlogin')
  assert.equal(banned.origin, 'detect')
  await waitFor('notify action', async () => (await readFile(s.actions, 'utf8').catch(() => '')).includes('ban 203.0.113.7'))

  // two failures of another address are counted, then the daemon dies hard
  await s.fail('203.0.113.8')
  await s.fail('203.0.113.8')
  await waitFor('counter at 2', async () => (await s.show()).counters.some((c: { key: string, count: number }) => c.key === '203.0.113.8' && c.count === 2))
  await d.kill9()

  d = await startDaemon(s.config, s.socket)
  const after = await s.show()
  assert.ok(after.bans.some((b: { ip: string }) => b.ip === '203.0.113.7'), 'ban restored after kill -9')
  assert.ok(after.pending.some((p: { action: string, key: string }) => p.action === 'unban' && p.key === '203.0.113.7'), 'pending unban still scheduled')
  const lines = (await readFile(s.actions, 'utf8')).trim().split('\n')
  assert.equal(lines.filter(l => l === 'ban 203.0.113.7').length, 2, 'the ban action is replayed once at restart (reaction semantics), not more')
  await new Promise(resolve => setTimeout(resolve, 300))
  await s.fail('203.0.113.8')
  await waitFor('third failure after restart bans', async () => (await s.show()).bans.some((b: { ip: string }) => b.ip === '203.0.113.8'))
  assert.equal(await d.stop(), 0)
})

test('CLI: ban, show IP, unban, trigger, feed, and one-line errors with exit 1', async () => {
  const s = await setup()
  const d = await startDaemon(s.config, s.socket)
  const ban = await cli(['-s', s.socket, 'ban', '198.51.100.50', '--for', '2h', '--reason', 'manual test'])
  assert.equal(ban.code, 0, ban.stderr)
  assert.match(ban.stdout, /banned 198\.51\.100\.50 until/)
  const why = await cli(['-s', s.socket, 'show', '198.51.100.50'])
  assert.match(why.stdout, /banned since/)
  assert.match(why.stdout, /origin manual/)
  assert.match(why.stdout, /reason: manual test/)
  const feed = await cli(['-s', s.socket, 'feed', '--format', 'txt'])
  assert.equal(feed.stdout, '198.51.100.50\n')
  const nft = await cli(['-s', s.socket, 'feed', '--format', 'nft'])
  assert.match(nft.stdout, /add element inet palisade_feed ban4 \{ 198\.51\.100\.50 timeout \d+s \}/)
  assert.equal((await cli(['-s', s.socket, 'unban', '198.51.100.50'])).code, 0)
  const again = await cli(['-s', s.socket, 'flush', '198.51.100.50'])
  assert.equal(again.code, 1)
  assert.equal(again.stderr, 'palisade: 198.51.100.50 is not banned here\n')
  const bad = await cli(['-s', s.socket, 'ban', 'not-an-ip'])
  assert.equal(bad.code, 1)
  assert.equal(bad.stderr.split('\n').filter(Boolean).length, 1)
  const protectedBan = await cli(['-s', s.socket, 'ban', '127.0.0.1'])
  assert.equal(protectedBan.code, 1)
  assert.match(protectedBan.stderr, /protected/)
  const trig = await cli(['-s', s.socket, 'trigger', 'ssh.failedlogin', 'ip=203.0.113.99'])
  assert.equal(trig.code, 0, trig.stderr)
  assert.ok((await s.show()).bans.some((b: { ip: string }) => b.ip === '203.0.113.99'))
  const noFilter = await cli(['-s', s.socket, 'trigger', 'ssh.nope', 'ip=203.0.113.98'])
  assert.equal(noFilter.code, 1)
  assert.match(noFilter.stderr, /no filter "ssh.nope"/)
  await d.stop()
  const down = await cli(['-s', s.socket, 'show'])
  assert.equal(down.code, 1)
  assert.match(down.stderr, /cannot reach the daemon/)
})

test('a second daemon on the same socket refuses to start; a stale socket file is taken over', async () => {
  const s = await setup()
  const d = await startDaemon(s.config, s.socket)
  const second = await cli(['start', '-c', s.config])
  assert.equal(second.code, 1)
  assert.match(second.stderr, /locked|listening/)
  await d.kill9()
  const again = await startDaemon(s.config, s.socket)
  assert.equal(await again.stop(), 0)
})

test('test-regex prints IP<TAB>line per match and the summary on stderr, without a daemon', async () => {
  const s = await setup()
  const input = [
    'Nov 23 14:09:01 host sshd[1]: Failed password for root from 203.0.113.1 port 22 ssh2',
    'Nov 23 14:09:02 host sshd[2]: Accepted password for alice from 203.0.113.2 port 22 ssh2',
    'Nov 23 14:09:03 host sshd[3]: Failed password for invalid user x from 1.2.3.4 from 2001:DB8::5 port 22 ssh2',
    'Nov 23 14:09:04 host sshd[4]: Failed password for root from 203.0.113.1 port 22 ssh2'
  ].join('\n') + '\n'
  const r = await cli(['test-regex', '-c', s.config, 'ssh.failedlogin', '-'], { input })
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(r.stdout.trim().split('\n').map(l => l.split('\t')[0]), ['203.0.113.1', '2001:db8::5', '203.0.113.1'])
  assert.equal(r.stderr, '4 lines, 3 matched, 2 distinct IPs\n')
  const j = await cli(['test-regex', '-c', s.config, 'ssh.failedlogin', '--json', '-'], { input })
  assert.equal(JSON.parse(j.stdout.split('\n')[0]).ip, '203.0.113.1')
})

test('test-config prints the normalised config, or every error with file:line:col and exit 1', async () => {
  const s = await setup()
  const ok = await cli(['test-config', '-c', s.config, '--json'])
  assert.equal(ok.code, 0, ok.stderr)
  assert.equal(JSON.parse(ok.stdout).streams.ssh.filters[0].retryperiod, 6 * 3_600_000)
  const broken = join(s.dir, 'broken.yml')
  await writeFile(broken, 'streams:\n  ssh:\n    cmd: [tail]\n    filters:\n      fail:\n        regex: [\'x <ip>\']\n        retry: three\n        retryperod: 6h\n')
  const r = await cli(['test-config', '-c', broken])
  assert.equal(r.code, 1)
  assert.match(r.stderr, new RegExp(`${broken}:7:16: streams\\.ssh\\.filters\\.fail\\.retry: .*"three"`))
  assert.match(r.stderr, /retryperod.*did you mean .?retryperiod/)
})

test('a failing start command aborts the start with a clear error; stop commands run at stop', async () => {
  const s = await setup()
  const marker = join(s.dir, 'stopped')
  const bad = join(s.dir, 'bad-start.yml')
  await writeFile(bad, (await readFile(s.config, 'utf8')) + `start:\n  - [${process.execPath}, -e, 'process.exit(3)']\n`)
  const r = await cli(['start', '-c', bad])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /palisade: start command .* failed: exit 3/)
  const good = join(s.dir, 'stop.yml')
  await writeFile(good, (await readFile(s.config, 'utf8')) + `stop:\n  - [${process.execPath}, ${APPEND}, ${marker}, stopped]\n`)
  const d = await startDaemon(good, s.socket)
  assert.equal(await d.stop(), 0)
  assert.equal(await readFile(marker, 'utf8'), 'stopped\n')
})

test('reaction configurations as published pass test-config unchanged', async () => {
  const dir = join(import.meta.dirname, '../fixtures/config/reaction')
  for (const file of ['readme-journalctl.yml', 'tail-file.yml', 'v1-example.yml', 'example.jsonnet']) {
    const r = await cli(['test-config', '-c', join(dir, file)])
    assert.equal(r.code, 0, `${file}: ${r.stderr}`)
  }
})

test('the HTTP feed serves the blocklist in three formats and Prometheus metrics, GET only', async () => {
  const s = await setup()
  const { createServer } = await import('node:net')
  const port = await new Promise<number>(resolve => {
    const srv = createServer().listen(0, '127.0.0.1', () => { const p = (srv.address() as { port: number }).port; srv.close(() => resolve(p)) })
  })
  const cfg = join(s.dir, 'feed.yml')
  await writeFile(cfg, (await readFile(s.config, 'utf8')) + `feed:\n  listen: 127.0.0.1:${port}\n`)
  const d = await startDaemon(cfg, s.socket)
  assert.equal((await cli(['-s', s.socket, 'ban', '203.0.113.44', '--for', '1h'])).code, 0)
  assert.equal((await cli(['-s', s.socket, 'ban', '2001:db8:1::/64', '--for', '1h'])).code, 0)
  const base = `http://127.0.0.1:${port}`
  assert.equal(await (await fetch(`${base}/blocklist.txt`)).text(), '2001:db8:1::/64\n203.0.113.44\n')
  const json = await (await fetch(`${base}/blocklist.json`)).json() as { count: number, bans: Array<{ ip: string, origin: string }> }
  assert.equal(json.count, 2)
  assert.equal(json.bans[1].origin, 'manual')
  const nft = await (await fetch(`${base}/blocklist.nft`)).text()
  assert.match(nft, /add element inet palisade_feed ban6 \{ 2001:db8:1::\/64 timeout \d+s \}/)
  const metrics = await (await fetch(`${base}/metrics`)).text()
  assert.match(metrics, /palisade_decide_bans_active 2/)
  assert.match(metrics, /palisade_decide_decisions_total\{kind="ban",why="votes reached threshold"\} 2/)
  assert.equal((await fetch(`${base}/blocklist.txt`, { method: 'POST' })).status, 405)
  assert.equal((await fetch(`${base}/nothing`)).status, 404)
  await d.stop()
})

/**
 * The CLI habits of reaction and fail2ban users, through the real CLI against a real daemon
 * (firewall backend `none`: what is asked of the kernel is tested in firewall-*.test.ts):
 * `status`, `show ADDR` / `unban ADDR` inside a prefix ban, `trigger` normalised like a log
 * line, `flush` with no argument or NAME=REGEX, `show -l / -f / NAME=REGEX`, `start -l / -s`.
 */
import { after, test } from 'node:test'
import { spawn } from 'node:child_process'
import assert from 'node:assert/strict'
import { appendFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { loadIdentity } from '../../src/federation/index.ts'
import { tempDir } from '../helpers/tmp.ts'
import { waitFor } from '../helpers/wait.ts'
import { BIN, cli, startDaemon } from '../helpers/daemon.ts'

async function setup (opts: { socketInConfig?: string } = {}) {
  const dir = await tempDir('palisade-cli-')
  const log = join(dir, 'auth.log')
  const socket = join(dir, 'palisade.sock')
  await writeFile(log, '')
  const config = join(dir, 'palisade.yml')
  await writeFile(config, `
state: ${join(dir, 'state')}
socket: ${opts.socketInConfig ?? socket}
patterns:
  ip:
    type: ip
    ipv6mask: 64
    ignorecidr: [192.0.2.0/24]
  user:
    regex: '[a-z]+'
streams:
  ssh:
    file: ${log}
    filters:
      failedlogin:
        regex:
          - 'Failed password for \\S+ from <ip> port \\d+'
        retry: 2
        retryperiod: 6h
        ban: 1h
  gone:
    file: ${join(dir, 'no-such-dir', 'app.log')}
    filters:
      any:
        regex: ['boom from <ip>']
        ban: 1h
  mail:
    cmd: [/bin/sh, -c, 'sleep 3600']
    filters:
      relay:
        regex: ['relay denied user=<user> from <ip>']
        retry: 1
        ban: 1h
  nocmd:
    cmd: [${join(dir, 'no-such-command')}]
    filters:
      any:
        regex: ['x from <ip>']
        ban: 1h
firewall:
  backend: none
`)
  const fail = (ip: string) => appendFile(log, `Nov 23 14:09:01 host sshd[123]: Failed password for root from ${ip} port 4711 ssh2\n`)
  const json = async (...args: string[]) => {
    const r = await cli(['-s', socket, ...args])
    assert.equal(r.code, 0, r.stderr)
    return JSON.parse(r.stdout)
  }
  return { dir, log, socket, config, fail, json }
}

test('status: each stream alive or waiting with lines and last line, firewall and last reconcile, bans by origin, uptime and version', async () => {
  const s = await setup()
  await startDaemon(s.config, s.socket)
  await s.fail('203.0.113.7')
  await waitFor('a line read', async () => ((await s.json('status', '--json')).streams.find((x: { stream: string }) => x.stream === 'ssh')?.lines ?? 0) >= 1, 20_000)
  assert.equal((await cli(['-s', s.socket, 'ban', '198.51.100.9'])).code, 0)
  const st = await s.json('status', '--json')
  const ssh = st.streams.find((x: { stream: string }) => x.stream === 'ssh')
  assert.equal(ssh.state, 'running')
  assert.equal(ssh.lines, 1)
  assert.ok(typeof ssh.lastLineAt === 'number' && Math.abs(ssh.lastLineAt - Date.now()) < 60_000)
  const gone = st.streams.find((x: { stream: string }) => x.stream === 'gone')
  assert.ok(gone.missing.length === 1, JSON.stringify(gone))
  // a command that does not exist: retried, and its error is on the status screen
  await waitFor('the missing command reported', async () => (await s.json('status', '--json')).streams.find((x: { stream: string }) => x.stream === 'nocmd')?.lastError !== undefined, 20_000)
  const nocmd = (await s.json('status', '--json')).streams.find((x: { stream: string }) => x.stream === 'nocmd')
  assert.notEqual(nocmd.state, 'running')
  assert.equal(nocmd.lastError.kind, 'ENOENT', JSON.stringify(nocmd))
  assert.equal(st.firewall.backend, 'none')
  assert.deepEqual(
    { detect: st.bans.detect, manual: st.bans.manual, remote: st.bans.remote, total: st.bans.total },
    { detect: 0, manual: 1, remote: 0, total: 1 }
  )
  assert.equal(st.peers, null)
  assert.match(st.version, /^\d+\.\d+\.\d+/)
  assert.ok(st.uptimeMs >= 0 && st.uptimeMs < 120_000)
  // the human screen: one line per subject, the streams in a table with a header
  const text = await cli(['-s', s.socket, 'status'])
  assert.equal(text.code, 0, text.stderr)
  assert.match(text.stdout, /^palisade \d+\.\d+\.\d+, pid \d+, up /)
  assert.match(text.stdout, /^bans: 1 \(detect 0, manual 1, remote 0\)$/m)
  assert.match(text.stdout, /^firewall: none, /m)
  assert.match(text.stdout, /^peers: federation not configured$/m)
  assert.match(text.stdout, /^ {2}STREAM +KIND +STATE +LINES +LAST LINE +RESTARTS +LAST ERROR$/m)
  assert.match(text.stdout, /^ {2}ssh +file +alive +1 +\d{4}-/m)
  assert.match(text.stdout, /^ {2}gone +file +waiting +0 +never +0 +no file at .*no-such-dir/m)
  assert.match(text.stdout, /^ {2}nocmd +command +retrying +0 +never +\d+ +ENOENT: /m)
  assert.equal(parseYaml((await cli(['-s', s.socket, 'status', '-f', 'yaml'])).stdout).bans.manual, 1)
})

test('show and unban of an address inside a /64 ban; trigger masks and ignores as detection does', async () => {
  const s = await setup()
  await startDaemon(s.config, s.socket)
  // detection bans the /64 (ipv6mask: 64)
  await s.fail('2001:db8:1::5')
  await s.fail('2001:db8:1::6')
  await waitFor('the /64 banned', async () => (await s.json('show', '--json')).bans.some((b: { key: string }) => b.key === '2001:db8:1::/64'), 20_000)
  const why = await cli(['-s', s.socket, 'show', '2001:db8:1::7'])
  assert.equal(why.code, 0, why.stderr)
  assert.match(why.stdout, /^2001:db8:1::7 is inside 2001:db8:1::\/64, banned since /)
  assert.doesNotMatch(why.stdout, /not banned/)
  assert.equal((await s.json('show', '--json', '2001:db8:1::7')).contains, '2001:db8:1::7')
  // a trigger for another address of that /64 is the same key: still one ban, not two
  const trig = await cli(['-s', s.socket, 'trigger', 'ssh.failedlogin', 'ip=2001:db8:1::99'])
  assert.equal(trig.code, 0, trig.stderr)
  assert.match(trig.stdout, /triggered: 2001:db8:1::\/64 until/)
  assert.deepEqual((await s.json('show', '--json')).bans.map((b: { key: string }) => b.key), ['2001:db8:1::/64'])
  // the pattern's ignorecidr holds for a trigger too
  const ignored = await cli(['-s', s.socket, 'trigger', 'ssh.failedlogin', 'ip=192.0.2.7'])
  assert.equal(ignored.code, 1)
  assert.match(ignored.stderr, /ip=192\.0\.2\.7 is ignored by the pattern ip/)
  const invalid = await cli(['-s', s.socket, 'trigger', 'ssh.failedlogin', 'ip=0x7f.1'])
  assert.equal(invalid.code, 1)
  assert.match(invalid.stderr, /not a valid IP address/)
  // a non-IP value must match its pattern's regex
  const badUser = await cli(['-s', s.socket, 'trigger', 'mail.relay', 'user=Root1', 'ip=203.0.113.50'])
  assert.equal(badUser.code, 1)
  assert.match(badUser.stderr, /user=Root1 does not match the pattern's regex/)
  const un = await cli(['-s', s.socket, 'unban', '2001:db8:1::7'])
  assert.equal(un.code, 0, un.stderr)
  assert.equal(un.stdout, 'unbanned 2001:db8:1::/64 (contains 2001:db8:1::7)\n')
  assert.deepEqual((await s.json('show', '--json')).bans, [])
})

test('reaction forms: show NAME=REGEX and -l, non-IP values, -f yaml|json; flush NAME=REGEX, then flush with no argument lifts everything', async () => {
  const s = await setup()
  await startDaemon(s.config, s.socket)
  for (const [user, ip] of [['root', '203.0.113.10'], ['admin', '203.0.113.11'], ['root', '198.51.100.12']]) {
    const r = await cli(['-s', s.socket, 'trigger', 'mail.relay', `user=${user}`, `ip=${ip}`])
    assert.equal(r.code, 0, r.stderr)
  }
  assert.equal((await cli(['-s', s.socket, 'ban', '203.0.113.99'])).code, 0)
  const keys = (r: { bans: Array<{ ip?: string, key: string }> }) => r.bans.map(b => b.ip ?? b.key).sort()
  // a manual ban has its ip value too
  assert.deepEqual(keys(await s.json('show', '--json', 'ip=203.0.113.*')), ['203.0.113.10', '203.0.113.11', '203.0.113.99'])
  assert.deepEqual(keys(await s.json('show', '--json', 'ip=203.0.113.1.')), ['203.0.113.10', '203.0.113.11'])
  assert.deepEqual(keys(await s.json('show', '--json', 'user=root')), ['198.51.100.12', '203.0.113.10'])
  assert.deepEqual(keys(await s.json('show', '--json', '-l', 'mail')), ['198.51.100.12', '203.0.113.10', '203.0.113.11'])
  assert.deepEqual(keys(await s.json('show', '--json', '-l', 'mail.nope')), [])
  assert.deepEqual(keys(await s.json('show', '-f', 'json', '--limit', 'manual')), ['203.0.113.99'])
  const yaml = await cli(['-s', s.socket, 'show', '-f', 'yaml', 'user=admin'])
  assert.equal(yaml.code, 0, yaml.stderr)
  assert.deepEqual(keys(parseYaml(yaml.stdout)), ['203.0.113.11'])
  const badFormat = await cli(['-s', s.socket, 'show', '-f', 'xml'])
  assert.equal(badFormat.code, 1)
  // the human listing: aligned rows, one ban a line
  const text = await cli(['-s', s.socket, 'show', 'user=root'])
  assert.match(text.stdout, /^2 active bans\n/)
  // aligned: both rows have their filter column at the same place
  const rows = text.stdout.split('\n').filter(l => / detect {2}mail\.relay /.test(l))
  assert.equal(rows.length, 2)
  assert.equal(rows[0].indexOf('detect'), rows[1].indexOf('detect'))
  const some = await cli(['-s', s.socket, 'flush', 'user=root'])
  assert.equal(some.code, 0, some.stderr)
  assert.match(some.stdout, /^flushed 2 bans: /)
  assert.deepEqual(keys(await s.json('show', '--json')), ['203.0.113.11', '203.0.113.99'])
  const all = await s.json('flush', '--json')
  assert.equal(all.lifted.length, 2)
  assert.deepEqual((await s.json('show', '--json')).bans, [])
})

test('start -s SOCKET listens there, start -l LEVEL sets the log level; a bad level is refused', async () => {
  const dir = await tempDir('palisade-cli-start-')
  const s = await setup({ socketInConfig: join(dir, 'from-config.sock') })
  const other = join(dir, 'from-flag.sock')
  // the helper starts `start -c FILE` only: these flags need their own child
  const child = spawn(process.execPath, [BIN, 'start', '-c', s.config, '-s', other, '-l', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PALISADE_LOG_LEVEL: 'debug' } })
  let output = ''
  child.stdout.on('data', (b: Buffer) => { output += b.toString() })
  child.stderr.on('data', (b: Buffer) => { output += b.toString() })
  const exited = new Promise(resolve => child.once('exit', resolve))
  after(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  await waitFor('daemon on the -s socket', async () => {
    if (child.exitCode !== null) throw new Error(`daemon exited: ${output}`)
    return (await cli(['-s', other, 'status', '--json'])).code === 0
  }, 30_000)
  const fromConfig = await cli(['-s', join(dir, 'from-config.sock'), 'status'])
  assert.equal(fromConfig.code, 1)
  assert.match(fromConfig.stderr, /cannot reach the daemon/)
  // warn: the info line "palisade started" is not logged, a warning (the missing file) is
  assert.doesNotMatch(output, /palisade started/)
  assert.match(output, /no-such-dir/)
  child.kill('SIGTERM')
  await exited
  const bad = await cli(['start', '-c', s.config, '-l', 'loud'])
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /-l\/--log-level "loud": one of trace, debug, info, warn, error, fatal/)
})

test('federated: status counts trusted and connected peers; peer list prints one aligned row per peer', async () => {
  const dir = await tempDir('palisade-cli-fed-')
  const socket = join(dir, 'palisade.sock')
  const other = (await loadIdentity(join(dir, 'other'), { create: true })).id
  const config = join(dir, 'palisade.yml')
  await writeFile(config, `
state: ${join(dir, 'state')}
socket: ${socket}
patterns:
  ip: {type: ip}
streams:
  ssh:
    cmd: [/bin/sh, -c, 'sleep 3600']
    filters:
      f:
        regex: ['x from <ip>']
        ban: 1h
firewall: {backend: none}
federation:
  collective: cli-e2e
  listen: [/ip4/127.0.0.1/tcp/0]
trust:
  peers:
    - {key: ${other}, name: far, weight: 1}
`)
  await startDaemon(config, socket)
  const st = JSON.parse((await cli(['-s', socket, 'status', '--json'])).stdout)
  assert.deepEqual(st.peers, { trusted: 1, connected: 0, trustedConnected: 0 })
  assert.match((await cli(['-s', socket, 'status'])).stdout, /^peers: 0 of 1 trusted connected$/m)
  const list = await cli(['-s', socket, 'peer', 'list'])
  assert.equal(list.code, 0, list.stderr)
  assert.match(list.stdout, new RegExp(`^${other} {2}far {2}trusted weight 1 \\(config\\) {2}disconnected {2}last report never {2}accepted 0 rejected 0$`, 'm'))
})

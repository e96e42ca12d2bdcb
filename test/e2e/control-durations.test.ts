/**
 * Ban durations have one upper bound (MAX_DURATION_MS, 1000 days). Before it, `ban --for
 * 100000000d` reported an error yet stored the ban, after which `show` failed and the first feed
 * request killed the daemon on every restart; `--for 1200d` passed but exceeded nftables' maximum
 * timeout, so the ban never reached the kernel and the next start failed with no table at all.
 * Real daemon, real LevelDB, real nftables inside a namespace.
 */
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MAX_DURATION_MS } from '../../src/common/duration.ts'
import type { Ban } from '../../src/common/model.ts'
import { callDaemon } from '../../src/control/socket-client.ts'
import { createStore } from '../../src/store/index.ts'
import { cli, startDaemon } from '../helpers/daemon.ts'
import { createNetns } from '../helpers/netns.ts'
import { tempDir } from '../helpers/tmp.ts'

test('a ban duration over the bound is refused before anything is stored; the longest allowed reaches the kernel', async () => {
  const dir = await tempDir('pal-durations-')
  const ns = await createNetns('dur')
  after(() => ns.remove())
  const socket = join(dir, 'p.sock')
  const state = join(dir, 'state')
  const config = join(dir, 'p.yml')
  await writeFile(config, [
    `state: ${state}`, `socket: ${socket}`, 'firewall: {backend: nftables, table: paldur}', 'patterns: {ip: {type: ip}}',
    'streams: {s: {cmd: [sleep, "600"], filters: {f: {regex: ["x <ip>"], ban: 1h}}}}'
  ].join('\n') + '\n')
  const ask = (...args: string[]) => cli(['-s', socket, ...args], { netns: ns.name })
  let d = await startDaemon(config, socket, { netns: ns.name, keep: true })
  try {
    for (const text of ['100000000d', '1200d']) {
      const r = await ask('ban', '192.0.2.7', '--for', text)
      assert.equal(r.code, 1, r.stdout)
      assert.match(r.stderr, /at most 1000d/)
    }
    // the daemon refuses it too when a client skips the CLI's own check
    await assert.rejects(callDaemon(socket, 'ban', { ip: '192.0.2.8', for: '1200d' }), { code: 'PAL_ERR_DURATION_INVALID' })
    const shown = JSON.parse((await ask('show', '--json')).stdout) as { bans: Ban[] }
    assert.deepEqual(shown.bans, [], 'nothing stored')

    const ok = await ask('ban', '192.0.2.9', '--for', '1000d')
    assert.equal(ok.code, 0, ok.stderr)
    const set = await ns.exec(['nft', 'list', 'set', 'inet', 'paldur', 'ban4'])
    assert.match(set.stdout, /192\.0\.2\.9 timeout 1000d/, set.stdout)
  } finally {
    assert.equal(await d.stop(), 0)
  }

  // a ban stored past the bound (an older version, a bug) is clamped when loaded, never a crash
  const store = createStore({ path: join(state, 'db') })
  await store.start()
  const now = Date.now()
  await store.put('bans', '192.0.2.10', { key: '192.0.2.10', ip: '192.0.2.10', values: { ip: '192.0.2.10' }, filter: 'manual', origin: 'manual', since: now, until: now + 1e17, level: 0, reporters: ['self'], firewall: true } satisfies Ban)
  await store.stop()
  d = await startDaemon(config, socket, { netns: ns.name })
  const text = await ask('show')
  assert.equal(text.code, 0, text.stderr)
  assert.match(text.stdout, /192\.0\.2\.10/)
  const bans = (JSON.parse((await ask('show', '--json')).stdout) as { bans: Ban[] }).bans
  const loaded = bans.find(b => b.ip === '192.0.2.10')
  assert.ok(loaded !== undefined && loaded.until <= Date.now() + MAX_DURATION_MS, JSON.stringify(loaded))
  for (const format of ['txt', 'json', 'nft']) {
    const feed = await ask('feed', '--format', format)
    assert.equal(feed.code, 0, feed.stderr)
    assert.match(feed.stdout, /192\.0\.2\.10/)
  }
  const set = await ns.exec(['nft', 'list', 'set', 'inet', 'paldur', 'ban4'])
  assert.match(set.stdout, /192\.0\.2\.10/, 'the clamped ban is in the kernel')
  assert.equal(d.child.exitCode, null, 'daemon still running')
})

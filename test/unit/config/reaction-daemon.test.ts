import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cli, startDaemon } from '../../helpers/daemon.ts'
import { waitFor } from '../../helpers/wait.ts'
import { tempDir } from './helpers.ts'

/**
 * The real daemon runs a reaction ≥ 2.3 configuration with a virtual chain: the ssh filter's
 * virtual action feeds the `recidive` stream through the daemon's bus, whose filter bans the
 * address seen twice; a private address is not banned and `show` says why.
 */
interface Ban { key: string, filter: string, until: number }

test('palisade start: a virtual action feeds a virtual stream; show ADDR names a protected class', async () => {
  const t = tempDir()
  const log = join(t.dir, 'auth.log')
  writeFileSync(log, '')
  const socket = join(t.dir, 'p.sock')
  const config = t.write('palisade.yml', `plugins:
  virtual: { path: /usr/bin/reaction-plugin-virtual }
patterns: { ip: { type: ip } }
state: ${join(t.dir, 'state')}
socket: ${socket}
firewall: { backend: none }
streams:
  ssh:
    file: ${log}
    filters:
      failedlogin:
        regex: ['Failed password for .* from <ip>']
        duplicate: rerun
        actions:
          recidive:
            type: virtual
            options: { send: 'banned <ip>', to: recidive }
  recidive:
    type: virtual
    filters:
      repeat:
        regex: ['^banned <ip>$']
        retry: 2
        retryperiod: 1d
        ban: 30d
`)
  const d = await startDaemon(config, socket)
  const bans = async (): Promise<Ban[]> => (JSON.parse((await cli(['-s', socket, 'show', '--json'])).stdout) as { bans: Ban[] }).bans
  appendFileSync(log, 'sshd[1]: Failed password for root from 203.0.113.40 port 22 ssh2\n')
  await waitFor('first virtual line counted', async () => (await cli(['-s', socket, 'show', '--json'])).stdout.includes('recidive.repeat'), 20_000)
  assert.deepEqual(await bans(), [], 'once is not a repeat offence')
  appendFileSync(log, 'sshd[2]: Failed password for root from 203.0.113.40 port 22 ssh2\n' +
    'sshd[3]: Failed password for root from 192.168.1.9 port 22 ssh2\n')
  await waitFor('recidive ban', async () => (await bans()).length > 0, 20_000)
  const [b] = await bans()
  assert.equal(b.key, '203.0.113.40')
  assert.equal(b.filter, 'recidive.repeat')
  await waitFor('the private match is logged as dropped', () => /match dropped: 192\.168\.1\.9 is protected \(private\)/.test(d.log()), 20_000)
  const shown = await cli(['-s', socket, 'show', '192.168.1.9'])
  assert.match(shown.stdout, /192\.168\.1\.9 is protected \(private\): never banned here; set `neverBan: \{private: false\}`/)
  assert.equal(await d.stop(), 0)
})

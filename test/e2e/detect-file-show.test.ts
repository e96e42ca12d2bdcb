/**
 * `file:` globs through the real daemon: a glob matching nothing is a warning at start and shows
 * in `palisade show`; once a matching file appears it is followed (read from its start), and
 * `show` no longer lists the stream.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tempDir } from '../helpers/tmp.ts'
import { waitFor } from '../helpers/wait.ts'
import { cli, startDaemon } from '../helpers/daemon.ts'

test('a glob matching nothing: warned at start, shown by palisade show, followed once a file appears', async () => {
  const dir = await tempDir('palisade-glob-')
  const socket = join(dir, 'palisade.sock')
  const logs = join(dir, 'nginx')
  const config = join(dir, 'palisade.yml')
  await writeFile(config, `
state: ${join(dir, 'state')}
socket: ${socket}
patterns:
  ip:
    type: ip
streams:
  web:
    file: ${logs}/*error.log
    filters:
      auth:
        regex: ['(?i)user "[^"]*": password mismatch, client: <ip>,']
        ban: 1h
firewall:
  backend: none
`)
  const d = await startDaemon(config, socket)
  await waitFor('the warning', async () => /the glob matches no file/.test(d.log()))
  const shown = await cli(['-s', socket, 'show'])
  assert.equal(shown.code, 0, shown.stderr)
  assert.match(shown.stdout, new RegExp(`stream web \\(file\\): waiting, no file at ${logs}/\\*error\\.log`))
  await mkdir(logs)
  await writeFile(join(logs, 'site-error.log'), '2026/11/23 14:09:01 [error] 1#1: *5 user "bob": PASSWORD MISMATCH, client: 203.0.113.7, server: s, request: "GET / HTTP/1.1", host: "h"\n')
  await waitFor('the ban from the new file', async () => {
    const r = await cli(['-s', socket, 'show', '--json'])
    return (JSON.parse(r.stdout) as { bans: Array<{ ip: string }> }).bans.some(b => b.ip === '203.0.113.7')
  })
  const after = await cli(['-s', socket, 'show'])
  assert.doesNotMatch(after.stdout, /stream web/)
})

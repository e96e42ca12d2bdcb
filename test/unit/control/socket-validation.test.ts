/**
 * A real daemon's control socket checks every verb's arguments against its schema before any stage
 * sees them: crafted requests (an unknown argument, each argument with a value of the wrong type,
 * an unknown verb) are refused with PAL_ERR_CONTROL_BAD_REQUEST naming the argument, and the daemon
 * keeps answering.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import * as z from 'zod'
import { loadAll } from '../../../src/control/commands/table.ts'
import { startDaemon } from '../../helpers/daemon.ts'
import { tempDir } from '../../helpers/tmp.ts'

interface Answer { ok: boolean, code?: string, error?: string, result?: unknown }

function request (socket: string, cmd: string, args: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answer = ''
    const s = connect(socket)
    s.setEncoding('utf8').on('data', (c: string) => { answer += c }).on('error', reject)
      .on('close', () => resolve(JSON.parse(answer) as Answer))
    s.end(JSON.stringify({ cmd, args }) + '\n')
  })
}

/** a value no schema of this type accepts */
function wrongFor (p: { type?: string, enum?: unknown[] }): unknown {
  if (p.enum !== undefined) return 'surely-not-a-choice'
  return p.type === 'string' ? 42 : 'not-a-' + String(p.type)
}

test('every verb refuses an unknown argument and each argument of the wrong type, naming it', async () => {
  const dir = await tempDir('pal-ctl-args-')
  const socket = join(dir, 'p.sock')
  const config = join(dir, 'p.yml')
  await writeFile(config, [
    `state: ${join(dir, 'state')}`, `socket: ${socket}`, 'firewall: {backend: none}', 'patterns: {ip: {type: ip}}',
    'streams: {s: {cmd: [sleep, "600"], filters: {f: {regex: ["x <ip>"], ban: 1h}}}}'
  ].join('\n') + '\n')
  await startDaemon(config, socket)
  let checked = 0
  for (const { impl } of await loadAll()) {
    if (impl.socket === undefined) continue
    const verb = impl.socket.verb
    const extra = await request(socket, verb, { bogus: 1 })
    assert.equal(extra.ok, false, verb)
    assert.equal(extra.code, 'PAL_ERR_CONTROL_BAD_REQUEST', verb)
    assert.match(extra.error ?? '', new RegExp(`^${verb}: .*bogus`), verb)
    const shape = z.toJSONSchema(impl.socket.schema(z), { io: 'input', unrepresentable: 'any' }) as {
      properties?: Record<string, { type?: string, enum?: unknown[] }>
    }
    for (const [name, p] of Object.entries(shape.properties ?? {})) {
      const r = await request(socket, verb, { [name]: wrongFor(p) })
      assert.equal(r.code, 'PAL_ERR_CONTROL_BAD_REQUEST', `${verb} ${name}: ${JSON.stringify(r)}`)
      assert.match(r.error ?? '', new RegExp(`argument ${name}\\b`), `${verb} ${name}`)
      checked++
    }
  }
  assert.ok(checked >= 15, `${checked} arguments checked`)
  const unknown = await request(socket, 'nope', {})
  assert.deepEqual([unknown.code, unknown.error], ['PAL_ERR_CONTROL_BAD_REQUEST', 'unknown command "nope"'])
  // a value of the right shape reaches the handler and its own checks (IP syntax)
  const ip = await request(socket, 'ban', { ip: 'not-an-ip' })
  assert.equal(ip.code, 'PAL_ERR_IP_INVALID')
  assert.deepEqual((await request(socket, 'show', { offset: 0 })).ok, true)
})

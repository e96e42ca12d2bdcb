/**
 * The control socket's request parser on random frames: never a throw, never a prototype
 * reached, and whatever it accepts has the one shape handlers expect. Then random frames
 * against a real ControlServer on a unix socket: every connection gets one JSON answer or is
 * closed, and the server keeps answering.
 */
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { join } from 'node:path'
import fc from 'fast-check'
import { createLogger } from '../../src/common/logger.ts'
import { MAX_REQUEST_BYTES, parseRequest, type ControlHandler } from '../../src/control/protocol.ts'
import { ControlServer } from '../../src/control/socket-server.ts'
import { tempDir } from '../helpers/tmp.ts'
import { fuzzOptions } from './budget.ts'

const KEYS = ['cmd', 'args', '__proto__', 'constructor', 'prototype', 'ip', 'for', 'limit', 'offset', 'x']
const json = fc.letrec(tie => ({
  value: fc.oneof({ depthSize: 'small' }, fc.string({ maxLength: 8 }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }), tie('object')),
  object: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 })), tie('value')), { maxLength: 5 })
    .map(pairs => '{' + pairs.map(([k, v]) => `${JSON.stringify(k)}:${typeof v === 'string' && v.startsWith('{') ? v : JSON.stringify(v)}`).join(',') + '}')
})).object
const frame = fc.oneof(
  json,
  json.map(o => `{"cmd":"show","args":${o}}`),
  fc.string({ maxLength: 64 }),
  fc.uint8Array({ maxLength: 64 }).map(b => Buffer.from(b).toString('latin1'))
)

test('parseRequest: random frames never throw, never touch a prototype, and only a well-shaped request passes', () => {
  fc.assert(fc.property(frame, line => {
    const r = parseRequest(line)
    assert.equal(Object.keys(Object.prototype).length, 0)
    if (r === null) return
    assert.equal(typeof r.cmd, 'string')
    assert.ok(r.cmd.length > 0 && r.cmd.length <= 64)
    assert.equal(Object.getPrototypeOf(r.args), Object.prototype)
    for (const k of ['__proto__', 'constructor', 'prototype']) assert.ok(!Object.hasOwn(r.args, k), k)
  }), fuzzOptions(100_000))
  assert.equal(parseRequest('x'.repeat(MAX_REQUEST_BYTES + 1)), null)
})

test('ControlServer: random frames on a real socket get one JSON answer or a close, and the server keeps answering', async () => {
  const dir = await tempDir('pal-fuzz-ctl-')
  const path = join(dir, 'c.sock')
  const handlers = new Map<string, ControlHandler>([['ping', async () => ({ pong: true })], ['echo', async a => ({ keys: Object.keys(a).length })]])
  const server = new ControlServer(path, handlers, createLogger({ level: 'silent' }), { maxConnections: 64, heavyConcurrency: 2, requestTimeoutMs: 1000 })
  await server.start()
  after(() => server.stop())
  const send = (bytes: string): Promise<string> => new Promise(resolve => {
    const s = connect(path)
    let answer = ''
    s.setEncoding('utf8').on('data', (c: string) => { answer += c }).on('close', () => resolve(answer)).on('error', () => {})
    s.end(bytes)
  })
  await fc.assert(fc.asyncProperty(fc.oneof(frame.map(f => f + '\n'), frame), async f => {
    const answer = await send(f)
    if (answer !== '') {
      const r = JSON.parse(answer) as { ok: boolean, code?: string }
      assert.equal(typeof r.ok, 'boolean')
      if (!r.ok) assert.match(r.code ?? '', /^PAL_ERR_/)
    }
  }), fuzzOptions(500))
  assert.match(await send('{"cmd":"ping","args":{}}\n'), /"pong":true/)
})

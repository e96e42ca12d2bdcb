import { test } from 'node:test'
import assert from 'node:assert/strict'
import { OutputBuffer } from '../../../src/cli/test-regex.ts'

test('test-regex output: the bytes written, in order, in blocks of at most 64 KiB, none reused', () => {
  const chunks: Array<Buffer | string> = []
  const out = new OutputBuffer(c => chunks.push(c))
  const texts: string[] = []
  for (let i = 0; i < 5000; i++) texts.push(`203.0.113.${i % 256}\tNov 23 sshd[${i}]: Failed password for ü${'é'.repeat(i % 7)} 🦊\n`)
  // one text larger than a block goes out whole, after what was buffered before it
  texts.splice(2500, 0, 'x'.repeat(70_000) + '\n')
  // half through writeLine (address, line), as test-regex prints a match
  texts.forEach((t, i) => {
    const tab = t.indexOf('\t')
    if (i % 2 === 0 && tab > 0) out.writeLine(t.slice(0, tab), t.slice(tab + 1, -1))
    else out.write(t)
  })
  out.flush()
  out.flush()
  const bytes = chunks.map(c => typeof c === 'string' ? Buffer.from(c) : c)
  assert.ok(bytes.every(b => b.length <= 1 << 16 || b.length === 70_001))
  assert.equal(Buffer.concat(bytes).toString('utf8'), texts.join(''))
  // every block is its own memory: a pipe may still hold the previous one
  const buffers = chunks.filter((c): c is Buffer => typeof c !== 'string')
  assert.equal(new Set(buffers.map(b => b.buffer)).size, buffers.length)
})

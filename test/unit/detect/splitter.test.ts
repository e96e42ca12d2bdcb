import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LineSplitter } from '../../../src/detect/index.ts'

const b = (s: string): Buffer => Buffer.from(s, 'utf8')

test('joins partial lines across Buffer chunks and strips CRLF', () => {
  const s = new LineSplitter(100)
  assert.deepEqual(s.push(b('one\r\ntw')), ['one'])
  assert.equal(s.pendingBytes, 2)
  assert.deepEqual(s.push(b('o\r')), [])
  assert.deepEqual(s.push(b('\nthree\n\nfour')), ['two', 'three', ''])
  assert.deepEqual(s.end(), ['four'])
  assert.equal(s.pendingBytes, 0)
})

test('a multi-byte character split between chunks is decoded whole', () => {
  const s = new LineSplitter(100)
  const bytes = b('é€x\n')
  const out: string[] = []
  for (let i = 0; i < bytes.length; i++) s.push(bytes.subarray(i, i + 1), out)
  assert.deepEqual(out, ['é€x'])
})

test('string chunks behave like Buffer chunks', () => {
  const s = new LineSplitter(100)
  assert.deepEqual(s.push('a\r\nb'), ['a'])
  assert.deepEqual(s.push('c\nd\n'), ['bc', 'd'])
  assert.deepEqual(s.end(), [])
})

test('a line longer than maxLineBytes is cut and the rest dropped up to its newline', () => {
  let counted = 0
  const s = new LineSplitter(8, () => counted++)
  assert.deepEqual(s.push(b('short\n0123456789')), ['short', '01234567'])
  assert.deepEqual(s.push(b('more of the same line')), [])
  assert.deepEqual(s.push(b(' end\nnext\n')), ['next'])
  // a long line inside one chunk is cut too
  assert.deepEqual(s.push(b('abcdefghijkl\nok\n')), ['abcdefgh', 'ok'])
  assert.equal(counted, 2)
  assert.equal(s.truncated, 2)
  const t = new LineSplitter(4)
  assert.deepEqual(t.push('abcdefg'), ['abcd'])
  assert.deepEqual(t.push('hij\nxy\n'), ['xy'])
})

test('the carried tail does not keep the chunk alive (it is a copy)', () => {
  const s = new LineSplitter(100)
  const chunk = b('line\npartial')
  s.push(chunk)
  chunk.fill(0x41)
  assert.deepEqual(s.push(b('!\n')), ['partial!'])
})

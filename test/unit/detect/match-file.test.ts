import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { compileFilter, matchFile } from '../../../src/detect/index.ts'
import type { CompiledFilter } from '../../../src/detect/types.ts'
import { filter, ipPattern } from './fixtures.ts'

const T = Date.UTC(2026, 0, 1)

function sshd (): CompiledFilter {
  return compileFilter(filter([
    'sshd\\[\\d+\\]: Failed password for .* from <ip> port \\d+$',
    'sshd\\[\\d+\\]: error: maximum authentication attempts exceeded'
  ], { link: { id: 'sshd\\[(?<id>\\d+)\\]', from: ['Connection from <ip> port \\d+'], ttl: 60_000 } }), { ip: ipPattern() })
}

/** the same filter with its literals hidden: matchFile must then slice and match every line */
function lineByLine (f: CompiledFilter): CompiledFilter {
  return { config: f.config, literals: null, match: (l, t) => f.match(l, t), explain: l => f.explain(l) }
}

async function run (
  chunks: Array<string | Buffer>,
  f: CompiledFilter,
  maxLineBytes = 200
): Promise<{ summary: unknown; seen: string[] }> {
  const stdin = new PassThrough()
  const seen: string[] = []
  const done = matchFile('-', [f], (m, line) => seen.push(`${m.ip} ${JSON.stringify(line)}`), {
    stdin,
    time: T,
    maxLineBytes
  })
  for (const c of chunks) stdin.write(c)
  stdin.end()
  return { summary: await done, seen }
}

function chunked (text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text)
  const chunks: Buffer[] = []
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size))
  return chunks
}

const LINES = [
  'sshd[1]: Failed password for root from 198.51.100.1 port 22',
  'sshd[2]: Connection from 198.51.100.2 port 5 on 192.0.2.1 port 22',
  'cron[3]: session opened',
  'sshd[2]: error: maximum authentication attempts exceeded\r',
  'sshd[4]: Failed password for x Failed password for y from 198.51.100.4 port 1',
  'sshd[6]: Failed password for é from 198.51.100.6 port 1\r',
  '',
  'sshd[7]: Failed password for w from 198.51.100.7 port 1'
]
const TAIL = '\nsshd[8]: Failed password for v from 198.51.100.8 port 1'
const WANT = ['198.51.100.1', '198.51.100.2', '198.51.100.4', '198.51.100.6', '198.51.100.7', '198.51.100.8']

test('skipping lines without a literal changes nothing: same matches, order, counts', async () => {
  // cut everywhere, including inside the multi-byte é and between \r and \n; whole blocks too
  const text = LINES.join('\n') + TAIL
  for (const size of [1, 7, 64, 150, text.length + 10]) {
    const fast = await run(chunked(text, size), sshd())
    const slow = await run(chunked(text, size), lineByLine(sshd()))
    assert.deepEqual(fast, slow, `chunks of ${size} bytes`)
    assert.deepEqual(fast.summary, { lines: 9, matched: 6, truncated: 0 })
    assert.deepEqual(fast.seen.map(s => s.split(' ')[0]), WANT, `chunks of ${size} bytes`)
  }
})

test('a block holding an over-long line is split as usual: cut and counted', async () => {
  const text = [...LINES.slice(0, 4), 'x'.repeat(300) + ' sshd[5]: Failed password for z from 198.51.100.5 port 1', ...LINES.slice(4)].join('\n') + TAIL
  for (const size of [64, text.length + 10]) {
    const fast = await run(chunked(text, size), sshd())
    assert.deepEqual(fast, await run(chunked(text, size), lineByLine(sshd())))
    assert.deepEqual(fast.summary, { lines: 10, matched: 6, truncated: 1 })
    assert.deepEqual(fast.seen.map(s => s.split(' ')[0]), WANT)
  }
})

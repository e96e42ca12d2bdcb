import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { PromMetrics } from '../../../src/control/metrics.ts'

/** Every metric name registered in src/ is in docs/metrics.md's tables, and every one named there is registered. */
const root = join(import.meta.dirname, '../../..')

async function sources (dir: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...await sources(p))
    else if (e.name.endsWith('.ts')) out.push(p)
  }
  return out
}

test('docs/metrics.md names exactly the metrics src/ registers', async () => {
  const used = new Set<string>()
  for (const f of await sources(join(root, 'src'))) {
    for (const m of (await readFile(f, 'utf8')).matchAll(/\.(?:counter|gauge|histogram)\(\s*'([a-z_][a-z0-9_]*)'/g)) used.add(m[1])
  }
  assert.ok(used.size >= 30, `found ${used.size} metric names in src/: the scan is broken`)
  const doc = await readFile(join(root, 'docs/metrics.md'), 'utf8')
  const documented = new Set([...doc.matchAll(/^\| `(palisade_[a-z0-9_]+)` \|/gm)].map(m => m[1]))
  assert.deepEqual([...used].filter(n => !documented.has(n)).sort(), [], 'used in src/ but missing from docs/metrics.md')
  assert.deepEqual([...documented].filter(n => !used.has(n)).sort(), [], 'in docs/metrics.md but no longer used in src/')
})

test('the default process metrics carry their standard names, and scrape hooks run before each scrape', async () => {
  const m = new PromMetrics()
  let n = 0
  const g = m.gauge('palisade_test_gauge', 'test')
  m.onScrape(() => { g.set(++n) })
  const text = await m.text()
  assert.match(text, /^process_cpu_seconds_total /m)
  assert.match(text, /^nodejs_heap_size_used_bytes /m)
  assert.doesNotMatch(text, /palisade_process_|palisade_nodejs_/)
  assert.match(text, /^palisade_test_gauge 1$/m)
  assert.match(await m.text(), /^palisade_test_gauge 2$/m)
})

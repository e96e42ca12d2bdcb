/**
 * `npm run demo` works: three real daemons in namespaces, the attack on a reaches b and c's kernels,
 * and the script removes every namespace it made.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { run } from '../helpers/netns.ts'

test('npm run demo: the attacker is banned on all three nodes, then everything is removed', { timeout: 120_000 }, async () => {
  const before = (await run(['ip', 'netns', 'list'])).stdout
  const { stdout } = await promisify(execFile)(process.execPath, [join(import.meta.dirname, '../../scripts/demo.ts')], { maxBuffer: 16 << 20 })
  assert.match(stdout, /before the attack the attacker reaches b: connected/)
  assert.match(stdout, /203\.0\.113\.66 is in the nftables set of a, b and c/)
  assert.match(stdout, /after the attack the attacker reaches b: timeout/)
  assert.match(stdout, /=== node c: palisade show ===\n1 active ban\n {2}203\.0\.113\.66 +remote/)
  assert.match(stdout, /demo: done/)
  const left = (await run(['ip', 'netns', 'list'])).stdout.split('\n').filter(l => l.includes('demo') && !before.includes(l))
  assert.deepEqual(left, [])
})

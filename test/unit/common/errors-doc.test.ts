import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ErrorCodes } from '../../../src/common/errors.ts'

test('docs/errors.md lists exactly the codes of src/common/errors.ts (plus PAL_ERR_INTERNAL)', async () => {
  const doc = await readFile(join(import.meta.dirname, '../../../docs/errors.md'), 'utf8')
  const documented = new Set([...doc.matchAll(/^\| `(PAL_ERR_[A-Z_]+)` \|/gm)].map(m => m[1]))
  const defined = new Set<string>([...Object.values(ErrorCodes), 'PAL_ERR_INTERNAL'])
  assert.deepEqual([...defined].filter(c => !documented.has(c)), [], 'codes missing from docs/errors.md')
  assert.deepEqual([...documented].filter(c => !defined.has(c)), [], 'documented codes that no longer exist')
})

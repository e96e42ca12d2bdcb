import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tempDir } from '../../helpers/tmp.ts'
import { loadConfig } from '../../../src/config/index.ts'
import { loadConfigIsolated } from '../../../src/config/isolated.ts'
import { ConfigInvalidError } from '../../../src/common/errors.ts'

const EXAMPLE = join(import.meta.dirname, '../../../examples/palisade.yml')

test('the worker returns the same frozen configuration loadConfig builds', async () => {
  const here = await loadConfig(EXAMPLE)
  const there = await loadConfigIsolated(EXAMPLE)
  assert.deepEqual(there, here)
  assert.ok(Object.isFrozen(there) && Object.isFrozen(there.streams))
})

test('errors come back typed, with every located issue', async () => {
  const dir = await tempDir('palisade-iso-')
  const file = join(dir, 'bad.yml')
  await writeFile(file, 'streams:\n  s:\n    cmd: [cat]\n    filters:\n      f: {regex: [x], retry: three}\n')
  const err = await loadConfigIsolated(file).catch((e: unknown) => e)
  assert.ok(err instanceof ConfigInvalidError, String(err))
  assert.equal(err.code, 'PAL_ERR_CONFIG_INVALID')
  assert.ok(err.issues.some(i => i.path === 'streams.s.filters.f.retry' && /bad\.yml:5:\d+/.test(i.where)), JSON.stringify(err.issues))
  const missing = await loadConfigIsolated(join(dir, 'nope.yml')).catch((e: { code?: string }) => e)
  assert.match(String((missing as { code?: string }).code), /^PAL_ERR_CONFIG/)
})

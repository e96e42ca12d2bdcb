import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'

/** A fresh temp directory removed after the test file finishes. */
export async function tempDir (prefix = 'palisade-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  after(async () => { await rm(dir, { recursive: true, force: true }) })
  return dir
}

import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after } from 'node:test'
import assert from 'node:assert/strict'
import { ConfigInvalidError, formatIssue } from '../../../src/common/errors.ts'
import { loadConfig } from '../../../src/config/index.ts'
import type { Config, ConfigEnv } from '../../../src/config/index.ts'

/** A temp directory removed after the test file; files written into it by relative name. */
export function tempDir (): { dir: string, write: (name: string, text: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'pal-config-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  return {
    dir,
    write: (name, text) => {
      const file = join(dir, name)
      mkdirSync(dirname(file), { recursive: true })
      writeFileSync(file, text)
      return file
    }
  }
}

export const userEnv = (cwd: string): ConfigEnv => ({ isRoot: false, cwd })

/** Load a file expected to be invalid; returns its issues printed one a line. */
export async function issuesOf (path: string, env?: ConfigEnv): Promise<string[]> {
  try {
    await loadConfig(path, env)
  } catch (err) {
    assert.ok(err instanceof ConfigInvalidError, `expected ConfigInvalidError, got ${String(err)}`)
    assert.equal(err.code, 'PAL_ERR_CONFIG_INVALID')
    return err.issues.map(formatIssue)
  }
  assert.fail('configuration loaded but was expected to be invalid')
}

/** A minimal valid stream block to embed in test YAML. */
export const SSH_STREAM = `streams:
  ssh:
    cmd: [journalctl, -fu, sshd.service]
    filters:
      fail:
        regex: ['Failed password for .* from <ip>']
        ban: 1h
`

export async function load (path: string, env?: ConfigEnv): Promise<Config> {
  return await loadConfig(path, env)
}

/**
 * What is generated from the program's own commands: the completion scripts (run in a real
 * bash) and the man page (docs/palisade.1 must match the commands: `npm run man` rewrites it).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildProgram } from '../../../src/cli/main.ts'
import { bashScript } from '../../../src/cli/completion.ts'
import { manPage } from '../../../src/cli/man.ts'
import { allCommands, programTree } from '../../../src/cli/program-tree.ts'
import { packageVersion } from '../../../src/common/version.ts'

const root = programTree(buildProgram())

function complete (...words: string[]): string[] {
  const script = `${bashScript(root)}\nCOMP_WORDS=(${words.map(w => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _palisade; printf '%s\\n' "\${COMPREPLY[@]}"`
  return execFileSync('bash', ['-c', script], { encoding: 'utf8' }).split('\n').filter(Boolean)
}

test('bash completion skips global options and their values', () => {
  assert.deepEqual(complete('palisade', '-c', 'FILE', 'sh'), ['show'])
  assert.deepEqual(complete('palisade', '--socket', '/run/x.sock', 'peer', 'trust', ''), ['add', 'remove', '--help'])
  assert.deepEqual(complete('palisade', 'feed', '--format', ''), ['txt', 'json', 'nft'])
  assert.ok(complete('palisade', 'completion', '').includes('fish'))
})

test('every command of the program completes at its place', () => {
  for (const c of allCommands(root)) {
    const got = complete('palisade', ...c.path.slice(0, -1), c.name.slice(0, 3))
    assert.ok(got.includes(c.name), `${c.path.join(' ')}: ${got.join(' ')}`)
  }
})

test('docs/palisade.1 is generated from the current commands (npm run man)', () => {
  const committed = readFileSync(join(import.meta.dirname, '../../../docs/palisade.1'), 'utf8')
  assert.equal(committed, manPage(root, packageVersion()))
  for (const c of allCommands(root)) if (c.commands.length === 0) assert.ok(committed.includes(c.path.join(' ').replaceAll('-', '\\-')), c.path.join(' '))
})

/**
 * What is generated from the command table: commander's registration, the completion scripts (run
 * in a real bash), the man page (docs/palisade.1: `npm run man` rewrites it) and docs/cli.md
 * (`node scripts/cli-doc.ts --write`); the committed pages must match the commands.
 */
import { test } from 'node:test'
import type { Command } from 'commander'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { bashScript, fishScript } from '../../../src/cli/completion.ts'
import { cliDoc } from '../../../src/cli/cli-doc.ts'
import { buildProgram } from '../../../src/cli/main.ts'
import { manPage } from '../../../src/cli/man.ts'
import { allCommands, programTree } from '../../../src/cli/program-tree.ts'
import { packageVersion } from '../../../src/common/version.ts'

const root = programTree()

function complete (...words: string[]): string[] {
  const script = `${bashScript(root)}\nCOMP_WORDS=(${words.map(w => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _palisade; printf '%s\\n' "\${COMPREPLY[@]}"`
  return execFileSync('bash', ['-c', script], { encoding: 'utf8' }).split('\n').filter(Boolean)
}

test('bash completion skips global options and their values', () => {
  assert.deepEqual(complete('palisade', '-c', 'FILE', 'sh'), ['show'])
  assert.deepEqual(complete('palisade', '--config', '/etc/palisade/palisade.yml', '-s', 'S', 'sh'), ['show'])
  assert.deepEqual(complete('palisade', '-c', 'FILE', 'show', '-l', 'ssh', '--j'), ['--json'])
  assert.deepEqual(complete('palisade', '-c', 'FILE', 'peer', 're'), ['revoke'])
  assert.deepEqual(complete('palisade', '-c', 'FILE', 'show', '-f', ''), ['text', 'yaml', 'json'])
  assert.deepEqual(complete('palisade', '--socket', '/run/x.sock', 'peer', 'trust', ''), ['add', 'remove', '--help'])
  assert.deepEqual(complete('palisade', 'feed', '--format', ''), ['txt', 'json', 'nft'])
  assert.ok(complete('palisade', 'completion', '').includes('fish'))
})

// fish's own __fish_use_subcommand took the FILE of `-c FILE` for a command: nothing completed after it
const fish = spawnSync('fish', ['--version']).status === 0
test('fish completion skips global options and their values', { skip: fish ? false : 'fish is not installed' }, () => {
  const script = fishScript(root)
  const completeFish = (line: string): string[] => execFileSync('fish', ['-c', `${script}\ncomplete -C ${JSON.stringify(line)}`],
    { encoding: 'utf8' }).split('\n').filter(Boolean).map(l => l.split('\t')[0]).sort()
  assert.deepEqual(completeFish('palisade -c FILE sh'), ['show'])
  assert.deepEqual(completeFish('palisade --socket /run/x.sock peer trust '), ['add', 'remove'])
  assert.deepEqual(completeFish('palisade -c FILE show -f '), ['json', 'text', 'yaml'])
  assert.deepEqual(completeFish('palisade completion '), ['bash', 'fish', 'zsh'])
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

test('docs/cli.md is generated from the current command table (node scripts/cli-doc.ts --write)', async () => {
  const committed = readFileSync(join(import.meta.dirname, '../../../docs/cli.md'), 'utf8')
  assert.equal(committed, await cliDoc(root))
  for (const c of allCommands(root)) assert.ok(committed.includes(`## palisade ${c.path.join(' ')}\n`), c.path.join(' '))
})

test('commander registers exactly the table: the same commands, arguments and flags', () => {
  const fromCommander = (cmd: Command, path: string[] = []): unknown => ({
    path,
    args: cmd.registeredArguments.map(a => [a.name(), a.required, a.variadic]),
    options: cmd.options.map(o => o.flags),
    commands: cmd.commands.filter(c => c.name() !== 'help').map(c => fromCommander(c, [...path, c.name()]))
  })
  const fromTable = (n: typeof root): unknown => ({
    path: n.path,
    args: n.args.map(a => [a.name, a.required, a.variadic]),
    options: n.options.map(o => o.flags),
    commands: n.commands.map(fromTable)
  })
  assert.deepEqual(fromCommander(buildProgram()), fromTable(root))
})

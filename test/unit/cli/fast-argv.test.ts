/**
 * The command lines parseFast reads itself must reach the command exactly as commander would hand
 * them over (same command, arguments, options and global options); every other line is left to
 * commander (null), which owns help, errors and their exit codes.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildProgram } from '../../../src/cli/main.ts'
import { parseFast } from '../../../src/cli/fast-argv.ts'
import { COMMANDS } from '../../../src/control/commands/table.ts'
import type { CommandEntry, GlobalOptions } from '../../../src/control/commands/types.ts'

async function viaCommander (argv: string[]): Promise<unknown> {
  let got: unknown = null
  const program = buildProgram(COMMANDS, async (e: CommandEntry, args, opts, globals: GlobalOptions) => {
    got = { path: e.path.join(' '), args, opts: { ...opts }, globals: { ...globals } }
  })
  program.configureOutput({ writeOut: () => {}, writeErr: () => {} })
  try { await program.parseAsync(argv, { from: 'user' }) } catch { return 'commander error' }
  return got
}

const plain = [
  ['show'], ['-s', '/run/p.sock', 'show', '--json'], ['-c', 'p.yml', 'show', '-l', 'ssh.fail', 'ip=203.0.113.*'],
  ['show', '2001:db8::1', '-f', 'yaml'], ['--socket', 'S', '--config', 'C', 'status', '--format', 'json'],
  ['ban', '192.0.2.7', '--for', '1h', '--reason', 'spam', '--share'], ['unban', '198.51.100.0/24'],
  ['flush'], ['flush', 'user=root', '--limit', 'ssh'], ['trigger', 'ssh.fail', 'ip=192.0.2.1', 'user=x'],
  ['feed'], ['feed', '--format', 'nft'], ['reload', '--json'], ['peer', 'list'], ['peer', 'id'],
  ['peer', 'trust', 'add', '12D3KooWabc', '--weight', '2', '--addr', '/ip4/192.0.2.1/tcp/1', '--addr', '/ip4/192.0.2.2/tcp/1'],
  ['peer', 'trust', 'remove', 'k'], ['peer', 'revoke', 'k'], ['completion', 'bash'], ['test-regex', 'ssh.fail'],
  ['test-regex', '--preset', 'sshd', '-'], ['import', 'fail2ban'], ['start', '-l', 'debug']
]
const other = [
  [], ['--help'], ['show', '--help'], ['-V'], ['show', '--bogus'], ['ban'], ['unban', 'a', 'b'], ['feed', '--format', 'xml'],
  ['show', '-f', 'toml'], ['completion', 'tcsh'], ['trigger', 'ssh.fail'], ['show', '--json', '--json'], ['help', 'show'],
  ['ban', '192.0.2.1', '--for', '-1h'], ['nope'], ['-c'], ['show', '--limit=ssh'], ['peer'], ['show', '-s', 'S']
]

test('a plain command line reaches its command as commander would hand it over', async () => {
  for (const argv of plain) {
    const fast = parseFast(argv, COMMANDS)
    assert.ok(fast !== null, argv.join(' '))
    const mine = { path: fast.entry.path.join(' '), args: fast.args, opts: fast.opts, globals: fast.globals }
    assert.deepEqual(mine, await viaCommander(argv), argv.join(' '))
  }
})

test('help, the version, errors and unusual forms are left to commander', () => {
  for (const argv of other) assert.equal(parseFast(argv, COMMANDS), null, argv.join(' '))
})

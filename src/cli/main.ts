/**
 * `palisade` command line. The contract (commands, flags, exit codes) is in docs/cli.md and
 * docs/palisade.1, and used by scripts: keep it stable. Commands are entries of one table
 * (src/control/commands/table.ts); this file registers them with commander. Only this folder
 * decides exit codes: 0 ok, 1 failure with a one-line reason on stderr (test-config prints every
 * configuration error, one a line).
 */
import { createRequire } from 'node:module'
import type { Command } from 'commander'
import { PalisadeError } from '../common/errors.ts'
import { packageVersion } from '../common/version.ts'
import { COMMANDS, GLOBAL_OPTIONS, PROGRAM_DESCRIPTION } from '../control/commands/table.ts'
import type { CommandEntry } from '../control/commands/types.ts'
import { parseFast } from './fast-argv.ts'
import { runEntry } from './run.ts'

export type { GlobalOptions } from '../control/commands/types.ts'

type Commander = typeof import('commander')
let loaded: Commander | undefined
// commander is CommonJS: required, it is not first scanned for its export names by the ESM loader
const commander = (): Commander => (loaded ??= createRequire(import.meta.url)('commander') as Commander)

/** what a command's action does: runs it (tests compare what commander and parseFast hand over) */
export type Runner = typeof runEntry

/** The program with every command of the table; a command loads its modules when it runs. */
export function buildProgram (table: readonly CommandEntry[] = COMMANDS, run: Runner = runEntry): Command {
  const { Argument, Command, Option } = commander()
  const program = new Command('palisade')
    .description(PROGRAM_DESCRIPTION)
    .version(packageVersion(), '-V, --version', GLOBAL_OPTIONS[0].description)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) })
  for (const o of GLOBAL_OPTIONS.slice(1)) program.option(o.flags, o.description)
  const nodes = new Map<string, Command>([['', program]])
  for (const e of table) {
    if (e.hidden === true) continue
    const parent = nodes.get(e.path.slice(0, -1).join(' '))
    if (parent === undefined) throw new Error(`command table: ${e.path.join(' ')} comes before its group`)
    const cmd = parent.command(e.path.at(-1)!)
    nodes.set(e.path.join(' '), cmd)
    if (e.description !== '') cmd.description(e.description)
    for (const a of e.args ?? []) {
      const name = `${a.name}${a.variadic === true ? '...' : ''}`
      const arg = new Argument(a.required === true ? `<${name}>` : `[${name}]`, a.description)
      if (a.default !== undefined) arg.default(a.default)
      if (a.choices !== undefined) arg.choices(a.choices)
      cmd.addArgument(arg)
    }
    for (const o of e.options ?? []) {
      const opt = new Option(o.flags, o.description)
      if (o.choices !== undefined) opt.choices(o.choices)
      if (o.repeatable === true) opt.argParser((v: string, prev: string[]) => [...prev, v]).default([])
      else if (o.default !== undefined) opt.default(o.default)
      cmd.addOption(opt)
    }
    if (e.load !== undefined) {
      // commander calls an action with the positional values, then the options and the command
      cmd.action(async (...a: unknown[]) => {
        await run(e, a.slice(0, -2) as string[], cmd.opts(), program.opts())
      })
    }
  }
  return program
}

/** Run the CLI; resolves with the exit code. */
export async function main (argv: readonly string[]): Promise<number> {
  try {
    const fast = parseFast(argv, COMMANDS)
    if (fast !== null) await runEntry(fast.entry, fast.args, fast.opts, fast.globals)
    else await buildProgram().parseAsync(argv as string[], { from: 'user' })
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (err) {
    if (loaded !== undefined && err instanceof loaded.CommanderError) return err.exitCode === 0 ? 0 : 1
    if (err instanceof PalisadeError) {
      process.stderr.write(`palisade: ${err.message}\n`)
      return 1
    }
    process.stderr.write(`palisade: ${(err as Error).message ?? String(err)}\n`)
    return 1
  }
}

import type * as Zod from 'zod'
import type { ControlStages } from '../stages.ts'

/** zod as the daemon hands it to a schema: the CLI never loads it, the daemon on its first request */
export type Z = typeof Zod

export interface GlobalOptions {
  config?: string
  socket?: string
}

export type OutputFormat = 'text' | 'json' | 'yaml'

export interface ArgSpec {
  name: string
  description: string
  required?: boolean
  variadic?: boolean
  default?: string
  choices?: readonly string[]
}

export interface OptionSpec {
  /** commander's form: `-l, --limit <stream[.filter]>`, `--share` */
  flags: string
  description: string
  default?: string
  choices?: readonly string[]
  /** a value option given several times collects them all (`--addr A --addr B`) */
  repeatable?: boolean
}

/** What a command's CLI side gets: its words and flags as commander parsed them, and the daemon. */
export interface CliInput {
  args: ReadonlyArray<string | string[] | undefined>
  opts: Readonly<Record<string, unknown>>
  globals: GlobalOptions
  format: OutputFormat
  /** one request to the daemon this command's socket verb (or another) names */
  ask (verb: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<unknown>
  /** the command line as data (completion) */
  tree (): CommandNode
}

/** What a printer hands back: text for stdout (nothing when empty), and an exit code when not 0. */
export type Printed = string | { text: string, exitCode: number }

export interface SocketSide<A = any, R = any> {
  /** the verb on the socket (`peer-list` for `palisade peer list`) */
  verb: string
  /** its answer grows with the number of bans: run a few at a time (socket-server.ts) */
  heavy?: boolean
  /** the arguments the daemon accepts; anything else is refused naming the argument */
  schema: (z: Z) => Zod.ZodType<A>
  handle: (stages: CommandContext, args: A) => Promise<R>
}

/**
 * One command as the table lists it: the words after `palisade` that reach it, its help, its
 * arguments and flags, and how to load what it does. Commander's registration, completion, the
 * man page and docs/cli.md are made from these alone; a command's module is loaded when it runs
 * (the CLI loads the one it runs, the daemon every socket side on its first request).
 */
export interface CommandEntry {
  path: readonly string[]
  description: string
  args?: readonly ArgSpec[]
  options?: readonly OptionSpec[]
  /** a socket verb with no command line (`ping`) */
  hidden?: boolean
  /** what the command does; a group (`peer`, `peer trust`) has none */
  load?: () => Promise<CommandImpl>
}

/** What a command does: a socket side (a verb the daemon answers, then a printer) or a local `run`. */
export interface CommandImpl<A = any, R = any> {
  socket?: SocketSide<A, R>
  /** the socket arguments of one request (default: none) */
  request?: (input: CliInput) => Record<string, unknown>
  /** more than one request, or a fallback when no daemon answers */
  call?: (input: CliInput) => Promise<R>
  /** the text form of the result */
  print?: (result: R, input: CliInput) => Printed
  /** `print` renders `--json` too (else the runner prints the result as JSON or YAML itself) */
  ownFormats?: boolean
  /** a command that does not talk to the daemon */
  run?: (input: CliInput) => Promise<void>
}

/** the stages, and the listings every command shares (built once per ban generation) */
export interface CommandContext extends ControlStages {
  readonly listings: {
    /** every ban, soonest end first */
    bansByEnd (): import('../../common/model.ts').Ban[]
    byOrigin (): import('../../decide/lookup.ts').BansByOrigin
    feed (format: string): Promise<string>
  }
}

/** The command line as data: completion, the man page and docs/cli.md are generated from it. */
export interface CommandNode {
  name: string
  /** the words after `palisade` that reach this command ([] for the program) */
  path: string[]
  description: string
  args: Array<{ name: string, required: boolean, variadic: boolean, description: string, choices?: readonly string[] }>
  options: Array<{
    flags: string
    long?: string
    short?: string
    description: string
    takesValue: boolean
    choices?: readonly string[]
  }>
  commands: CommandNode[]
}

/** identity with the types checked: the schema's output is what the handler receives */
export function command<A, R> (impl: CommandImpl<A, R>): CommandImpl<A, R> {
  return impl
}

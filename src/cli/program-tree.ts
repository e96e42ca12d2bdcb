import type { Command } from 'commander'

/**
 * The command line as data, read off the commander program itself: completion scripts and the
 * man page are generated from it, so they can never list a command or flag that does not exist.
 */
export interface CommandNode {
  name: string
  /** the words after `palisade` that reach this command ([] for the program) */
  path: string[]
  description: string
  args: Array<{ name: string; required: boolean; variadic: boolean; description: string; choices?: readonly string[] }>
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

export function programTree (cmd: Command, path: string[] = []): CommandNode {
  return {
    name: cmd.name(),
    path,
    description: cmd.description(),
    args: cmd.registeredArguments.map(a => ({
      name: a.name(),
      required: a.required,
      variadic: a.variadic,
      description: a.description,
      choices: a.argChoices
    })),
    options: cmd.options.map(o => ({
      flags: o.flags,
      long: o.long,
      short: o.short,
      description: o.description,
      takesValue: o.required || o.optional,
      choices: o.argChoices
    })),
    commands: cmd.commands.filter(c => c.name() !== 'help').map(c => programTree(c, [...path, c.name()]))
  }
}

/** every command below the program, depth first */
export function allCommands (root: CommandNode): CommandNode[] {
  return root.commands.flatMap(c => [c, ...allCommands(c)])
}

/** `show [--json] [ip]` */
export function usageOf (c: CommandNode): string {
  const opts = c.options.map(o => `[${o.long ?? o.short}${o.takesValue ? ' ' + (/<[^>]+>|\[[^\]]+\]/.exec(o.flags)?.[0] ?? 'VALUE') : ''}]`)
  const args = c.args.map(a => (a.required ? `<${a.name}${a.variadic ? '...' : ''}>` : `[${a.name}${a.variadic ? '...' : ''}]`))
  return ['palisade', ...c.path, ...opts, ...args].join(' ')
}

import { COMMANDS, GLOBAL_OPTIONS, PROGRAM_DESCRIPTION } from '../control/commands/table.ts'
import type { CommandEntry, CommandNode, OptionSpec } from '../control/commands/types.ts'

export type { CommandNode }

/**
 * The command line as data, read off the command table (the same entries commander registers):
 * completion scripts, the man page and docs/cli.md are generated from it, so they can never list a
 * command or flag that does not exist.
 */
export function programTree (table: readonly CommandEntry[] = COMMANDS): CommandNode {
  const root: CommandNode = node([], PROGRAM_DESCRIPTION, GLOBAL_OPTIONS)
  const nodes = new Map<string, CommandNode>([['', root]])
  for (const e of table) {
    if (e.hidden === true) continue
    const n = node([...e.path], e.description, e.options ?? [])
    n.args = (e.args ?? []).map(a => ({
      name: a.name,
      required: a.required === true,
      variadic: a.variadic === true,
      description: a.description,
      choices: a.choices
    }))
    nodes.get(e.path.slice(0, -1).join(' '))?.commands.push(n)
    nodes.set(e.path.join(' '), n)
  }
  return root
}

function node (path: string[], description: string, options: readonly OptionSpec[]): CommandNode {
  return {
    name: path.at(-1) ?? 'palisade',
    path,
    description,
    args: [],
    options: options.map(o => {
      const long = /--[\w-]+/.exec(o.flags)?.[0]
      const short = /(?:^|[ ,])(-\w)\b/.exec(o.flags)?.[1]
      return { flags: o.flags, long, short, description: o.description, takesValue: /[<[]/.test(o.flags), choices: o.choices }
    }),
    commands: []
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

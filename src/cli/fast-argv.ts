import type { CommandEntry, GlobalOptions, OptionSpec } from '../control/commands/types.ts'

/** A command line as commander would hand it to the command's action. */
export interface ParsedLine {
  entry: CommandEntry
  args: Array<string | string[] | undefined>
  opts: Record<string, unknown>
  globals: GlobalOptions
}

interface Flag { spec: OptionSpec, key: string, takesValue: boolean }

const GLOBAL_FLAGS: Record<string, keyof GlobalOptions> = { '-c': 'config', '--config': 'config', '-s': 'socket', '--socket': 'socket' }

/**
 * The plain command lines (`palisade -s SOCK show --json`, `palisade ban 192.0.2.7 --for 1h`) read
 * straight off the command table, so that a call to the daemon need not load commander (a fifth of
 * `palisade show`'s time). Anything else — help, the version, an unknown or repeated flag, a value
 * that starts with `-`, a missing or extra argument, a value outside its choices, `--opt=value` —
 * returns null and commander parses it, with its own messages and exit codes.
 */
export function parseFast (argv: readonly string[], table: readonly CommandEntry[]): ParsedLine | null {
  const globals: GlobalOptions = {}
  let i = 0
  for (; i < argv.length && argv[i].startsWith('-'); i += 2) {
    const g = GLOBAL_FLAGS[argv[i]]
    const value = argv[i + 1]
    if (g === undefined || value === undefined || value.startsWith('-') || globals[g] !== undefined) return null
    globals[g] = value
  }
  // the longest path of words that names a command
  let entry: CommandEntry | undefined
  for (const e of table) {
    if (e.hidden === true || e.load === undefined || e.path.length <= (entry?.path.length ?? 0)) continue
    if (e.path.every((w, k) => argv[i + k] === w)) entry = e
  }
  if (entry === undefined) return null
  const flags = new Map<string, Flag>()
  const opts: Record<string, unknown> = {}
  for (const spec of entry.options ?? []) {
    const long = /--([\w-]+)/.exec(spec.flags)![1]
    const flag = { spec, key: long.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase()), takesValue: /[<[]/.test(spec.flags) }
    for (const name of spec.flags.split(/[ ,]+/).filter(w => w.startsWith('-'))) flags.set(name, flag)
    if (spec.repeatable === true) opts[flag.key] = []
    else if (spec.default !== undefined) opts[flag.key] = spec.default
  }
  const words: string[] = []
  const seen = new Set<string>()
  for (let k = i + entry.path.length; k < argv.length; k++) {
    const w = argv[k]
    if (!w.startsWith('-') || w === '-') { words.push(w); continue }
    const f = flags.get(w)
    if (f === undefined || (seen.has(f.key) && f.spec.repeatable !== true)) return null
    seen.add(f.key)
    if (!f.takesValue) { opts[f.key] = true; continue }
    const value = argv[++k]
    if (value === undefined || value.startsWith('-')) return null
    if (f.spec.choices !== undefined && !f.spec.choices.includes(value)) return null
    opts[f.key] = f.spec.repeatable === true ? [...opts[f.key] as string[], value] : value
  }
  const args: Array<string | string[] | undefined> = []
  for (const a of entry.args ?? []) {
    if (a.variadic === true) {
      if (a.required === true && words.length === 0) return null
      args.push(words.splice(0))
      continue
    }
    const w = words.shift()
    if (w === undefined && a.required === true) return null
    if (w !== undefined && a.choices !== undefined && !a.choices.includes(w)) return null
    args.push(w ?? a.default)
  }
  return words.length > 0 ? null : { entry, args, opts, globals }
}

import { callDaemon } from '../control/socket-client.ts'
import { FORMAT_OPTION } from '../control/commands/options.ts'
import type { CliInput, CommandEntry, GlobalOptions } from '../control/commands/types.ts'
import { formatOf, out, printData, socketFrom } from './context.ts'
import { programTree } from './program-tree.ts'

/**
 * One command of the table as the CLI runs it: a local `run`, or the daemon asked (one request,
 * or the entry's own `call`) and its answer printed as text, JSON or YAML.
 */
export async function runEntry (e: CommandEntry, args: ReadonlyArray<string | string[] | undefined>,
  opts: Record<string, unknown>, globals: GlobalOptions): Promise<void> {
  const options = e.options ?? []
  const format = formatOf({
    json: opts.json === true,
    format: options.includes(FORMAT_OPTION) ? opts.format as string | undefined : undefined
  })
  const input: CliInput = {
    args,
    opts,
    globals,
    format,
    ask: async (verb, a = {}, timeoutMs) => await callDaemon(await socketFrom(globals), verb, a, timeoutMs),
    tree: () => programTree()
  }
  const c = await e.load!()
  if (c.run !== undefined) { await c.run(input); return }
  const result = c.call !== undefined ? await c.call(input) : await input.ask(c.socket!.verb, c.request?.(input) ?? {})
  if (c.ownFormats !== true && await printData(format, result)) return
  const printed = c.print === undefined ? JSON.stringify(result) : c.print(result, input)
  const text = typeof printed === 'string' ? printed : printed.text
  if (text !== '') out(text)
  if (typeof printed !== 'string' && printed.exitCode !== 0) process.exitCode = printed.exitCode
}

import { ErrorCodes, palisadeError } from '../common/errors.ts'
import { parseConfig, defaultEnv } from '../config/index.ts'
import type { Config, FilterConfig } from '../config/types.ts'
import { compileFilter, matchFile } from '../detect/index.ts'
import type { CompiledFilter } from '../detect/types.ts'
import type { GlobalOptions } from './main.ts'
import { configFrom } from './context.ts'

/** The admin's regex bench: no daemon, no root, no network. */
export async function commandTestRegex (g: GlobalOptions, filterArg: string | undefined, fileArg: string,
  o: { json?: boolean, explain?: boolean, preset?: string }): Promise<void> {
  let filters: FilterConfig[]
  let config: Config
  let file = fileArg
  if (o.preset !== undefined) {
    const [name, mode] = o.preset.split(':')
    const yaml = `streams:\n  preset:\n    preset: ${JSON.stringify(name)}\n${mode === undefined ? '' : `    mode: ${JSON.stringify(mode)}\n`}    cmd: [cat]\n`
    config = parseConfig([{ file: `--preset ${o.preset}`, text: yaml, format: 'yaml' }], defaultEnv())
    filters = config.streams.preset.filters
    // with --preset the first positional argument is the log file
    file = filterArg ?? '-'
  } else {
    if (filterArg === undefined) throw palisadeError(ErrorCodes.CLI_USAGE, 'test-regex needs STREAM.FILTER (or --preset NAME)')
    config = await configFrom(g)
    const [stream, ...rest] = filterArg.split('.')
    const s = config.streams[stream]
    const wanted = rest.join('.')
    filters = s === undefined ? [] : wanted === '' ? s.filters : s.filters.filter(f => f.name === wanted)
    if (filters.length === 0) {
      const known = Object.values(config.streams).flatMap(x => x.filters.map(f => f.id))
      throw palisadeError(ErrorCodes.CLI_USAGE, `no filter ${JSON.stringify(filterArg)}; known: ${known.join(', ') || 'none'}`)
    }
  }
  const compiled = filters.map(f => compileFilter(f, config.patterns))
  const stats = await scan(file, compiled, o, config.limits.maxLineBytes)
  process.stderr.write(`${stats.lines} lines, ${stats.matched} matched, ${stats.ips.size} distinct IPs\n`)
}

async function scan (file: string, compiled: CompiledFilter[], o: { json?: boolean, explain?: boolean }, maxLineBytes: number): Promise<{ lines: number, matched: number, ips: Set<string> }> {
  const ips = new Set<string>()
  let out: string[] = []
  let outLen = 0
  const write = (text: string): void => {
    out.push(text)
    outLen += text.length
    // matches arrive synchronously inside a chunk: hand stdout large blocks, not one write per line
    if (outLen > 1 << 20) { process.stdout.write(out.join('')); out = []; outLen = 0 }
  }
  let summary
  try {
    summary = await matchFile(file, compiled, (m, line, c) => {
      const subject = m.ip ?? m.key
      ips.add(subject)
      if (o.json === true) {
        const rec: Record<string, unknown> = { ip: m.ip ?? null, key: m.key, filter: m.filter, values: m.values, line }
        if (o.explain === true) rec.explain = c.explain(line)
        write(JSON.stringify(rec) + '\n')
        return
      }
      write(`${subject}\t${line}\n`)
      if (o.explain === true) {
        const e = c.explain(line)
        if (e !== null) write(`  ${m.filter} regex #${e.regexIndex}: ${e.regex}\n` + Object.entries(e.captures).map(([k, v]) => `    <${k}> = ${JSON.stringify(v.raw)} → ${v.value ?? 'rejected'}\n`).join(''))
      }
    }, { maxLineBytes })
  } catch (err) {
    throw palisadeError(ErrorCodes.CLI_USAGE, `cannot read ${file}: ${(err as Error).message}`)
  }
  process.stdout.write(out.join(''))
  return { lines: summary.lines, matched: summary.matched, ips }
}

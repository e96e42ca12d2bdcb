import { createReadStream } from 'node:fs'
import { ErrorCodes, palisadeError } from '../common/errors.ts'
import { parseConfig, defaultEnv } from '../config/index.ts'
import type { Config, FilterConfig } from '../config/types.ts'
import { compileFilter } from '../detect/index.ts'
import type { CompiledFilter } from '../detect/types.ts'
import type { GlobalOptions } from './main.ts'
import { configFrom } from './context.ts'

/**
 * The admin's regex bench: no daemon, no root, no network. Reads the log in 4 MiB chunks and
 * splits lines itself (node:readline is ~2x slower), writes matches in large blocks.
 */
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
  const stats = await scan(file, compiled, o)
  process.stderr.write(`${stats.lines} lines, ${stats.matched} matched, ${stats.ips.size} distinct IPs\n`)
}

async function scan (file: string, compiled: CompiledFilter[], o: { json?: boolean, explain?: boolean }): Promise<{ lines: number, matched: number, ips: Set<string> }> {
  const input = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 4 * 1024 * 1024 })
  const ips = new Set<string>()
  let lines = 0
  let matched = 0
  let rest = ''
  let outBuf: string[] = []
  let outLen = 0
  const now = Date.now()
  const flush = async (): Promise<void> => {
    if (outBuf.length === 0) return
    const text = outBuf.join('')
    outBuf = []
    outLen = 0
    if (!process.stdout.write(text)) await new Promise<void>(resolve => process.stdout.once('drain', () => resolve()))
  }
  const onLine = (line: string): void => {
    lines++
    for (const c of compiled) {
      const m = c.match(line, now)
      if (m === null) continue
      matched++
      const subject = m.ip ?? m.key
      ips.add(subject)
      let text: string
      if (o.json === true) {
        const rec: Record<string, unknown> = { ip: m.ip ?? null, key: m.key, filter: m.filter, values: m.values, line }
        if (o.explain === true) rec.explain = c.explain(line)
        text = JSON.stringify(rec) + '\n'
      } else {
        text = `${subject}\t${line}\n`
        if (o.explain === true) {
          const e = c.explain(line)
          if (e !== null) text += `  ${m.filter} regex #${e.regexIndex}: ${e.regex}\n` + Object.entries(e.captures).map(([k, v]) => `    <${k}> = ${JSON.stringify(v.raw)} → ${v.value ?? 'rejected'}\n`).join('')
        }
      }
      outBuf.push(text)
      outLen += text.length
      break
    }
  }
  try {
    for await (const chunk of input) {
      const text = rest + (typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8'))
      let start = 0
      for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl
        onLine(text.slice(start, end))
        start = nl + 1
      }
      rest = text.slice(start)
      if (outLen > 1 << 20) await flush()
    }
  } catch (err) {
    throw palisadeError(ErrorCodes.CLI_USAGE, `cannot read ${file}: ${(err as Error).message}`)
  }
  if (rest !== '') onLine(rest)
  await flush()
  return { lines, matched, ips }
}

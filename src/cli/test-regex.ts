import { ConfigInvalidError, ErrorCodes, palisadeError } from '../common/errors.ts'
import { parseConfig, defaultEnv } from '../config/index.ts'
import type { Config, FilterConfig } from '../config/types.ts'
import { existsSync } from 'node:fs'
import { Readable } from 'node:stream'
// the two modules this command needs, not the daemon's detector behind detect/index.ts
import { Filter } from '../detect/filter.ts'
import { matchFile } from '../detect/match-file.ts'
import type { CompiledFilter } from '../detect/types.ts'
import type { GlobalOptions } from './main.ts'
import { configFrom } from './context.ts'

type Options = { json?: boolean, explain?: boolean, preset?: string, missed?: boolean }

// fail2ban-regex's names for the address, mapped to Palisade's built-in IP patterns
const F2B_NAMES: Record<string, string> = { host: 'ip', addr: 'ip', ip4: 'ipv4', ip6: 'ipv6' }
const PLACEHOLDER = /(?<!\(\?P?|\\k)<([A-Za-z_][A-Za-z0-9_]*)>/g

/** `test-regex REGEX LINE|FILE`: the first argument holds a placeholder, which no STREAM.FILTER can */
export function isRegexArg (arg: string | undefined): arg is string {
  return arg !== undefined && /(?<!\(\?P?|\\k)<[A-Za-z_][A-Za-z0-9_]*>/.test(arg)
}

/** one filter from a bare regex, through the same validation as a configuration */
function regexConfig (regex: string): Config {
  const src = regex.replace(PLACEHOLDER, (whole, name: string) => {
    const to = F2B_NAMES[name.toLowerCase()] ?? (['ip', 'ipv4', 'ipv6'].includes(name) ? name : undefined)
    return to === undefined ? whole : `<${to}>`
  })
  const used = [...new Set([...src.matchAll(PLACEHOLDER)].map(m => m[1]))].filter(n =>
    ['ip', 'ipv4', 'ipv6'].includes(n)
  )
  const patterns = used.map(n => `  ${n}:\n    type: ${n}\n`).join('')
  const yaml = `patterns:\n${patterns}streams:\n  regex:\n    cmd: [cat]\n    filters:\n      regex:\n        regex: [${JSON.stringify(src)}]\n        ban: 1h\n`
  try {
    return parseConfig([{ file: '<REGEX>', text: yaml, format: 'yaml' }], defaultEnv())
  } catch (err) {
    // the YAML above is ours: name the admin's regex, not a line of it
    if (err instanceof ConfigInvalidError) throw palisadeError(ErrorCodes.CONFIG_INVALID, `REGEX ${JSON.stringify(regex)}: ${err.issues.map(i => i.message).join('; ')}`)
    throw err
  }
}

/** The admin's regex bench: no daemon, no root, no network. */
export async function commandTestRegex (g: GlobalOptions, filterArg: string | undefined, fileArg: string,
  o: Options): Promise<void> {
  let filters: FilterConfig[]
  let config: Config
  let file = fileArg
  let stdin: Readable | undefined
  if (o.preset === undefined && isRegexArg(filterArg)) {
    config = regexConfig(filterArg)
    filters = config.streams.regex.filters
    // fail2ban-regex's habit: the second argument is a file when one exists there, else a log line
    if (file !== '-' && !existsSync(file)) { stdin = Readable.from([file + '\n']); file = '-' }
  } else if (o.preset !== undefined) {
    const [name, mode] = o.preset.split(':')
    const yaml = `streams:\n  preset:\n    preset: ${JSON.stringify(name)}\n${mode === undefined ? '' : `    mode: ${JSON.stringify(mode)}\n`}    cmd: [cat]\n`
    config = parseConfig([{ file: `--preset ${o.preset}`, text: yaml, format: 'yaml' }], defaultEnv())
    filters = config.streams.preset.filters
    // with --preset the first positional argument is the log file
    file = filterArg ?? '-'
  } else {
    if (filterArg === undefined) { throw palisadeError(ErrorCodes.CLI_USAGE, 'test-regex needs STREAM.FILTER (or --preset NAME)') }
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
  const compiled = filters.map(f => new Filter(f, config.patterns))
  const stats = await scan(file, compiled, o, config.limits.maxLineBytes, stdin)
  process.stderr.write(`${stats.lines} lines, ${stats.matched} matched, ${stats.ips.size} distinct IPs\n`)
}

async function scan (
  file: string,
  compiled: CompiledFilter[],
  o: Options,
  maxLineBytes: number,
  stdin?: Readable
): Promise<{ lines: number; matched: number; ips: Set<string> }> {
  const ips = new Set<string>()
  const out = new OutputBuffer(text => process.stdout.write(text))
  const write = (text: string): void => out.write(text)
  let summary
  try {
    summary = await matchFile(
      file,
      compiled,
      (m, line, c) => {
        const subject = m.ip ?? m.key
        ips.add(subject)
        // --missed: stdout is the lines nothing matched, in input order
        if (o.missed === true) return
        if (o.json === true) {
          const rec: Record<string, unknown> = {
            ip: m.ip ?? null,
            key: m.key,
            filter: m.filter,
            values: m.values,
            line
          }
          if (o.explain === true) rec.explain = c.explain(line)
          write(JSON.stringify(rec) + '\n')
          return
        }
        out.writeLine(subject, line)
        if (o.explain === true) {
          const e = c.explain(line)
          if (e !== null) {
            write(
              `  ${m.filter} regex #${e.regexIndex}: ${e.regex}\n` +
                Object.entries(e.captures)
                  .map(([k, v]) => `    <${k}> = ${JSON.stringify(v.raw)} → ${v.value ?? 'rejected'}\n`)
                  .join('')
            )
          }
        }
      },
      {
        maxLineBytes,
        ...(stdin === undefined ? {} : { stdin }),
        ...(o.missed === true
          ? {
              onMissed: (line: string) => write(o.json === true ? JSON.stringify({ missed: line }) + '\n' : line + '\n')
            }
          : {})
      }
    )
  } catch (err) {
    throw palisadeError(ErrorCodes.CLI_USAGE, `cannot read ${file}: ${(err as Error).message}`)
  }
  out.flush()
  return { lines: summary.lines, matched: summary.matched, ips }
}

/**
 * Output encoded straight into 64 KiB blocks, one write each: strings held until a large join
 * survived young-generation collections (each match's line pinning its decoded chunk), which
 * cost more than the matching (1M-line sshd bench: 0.3 s of 3.4 s CPU). A block is never reused
 * after it is written (a pipe may still be sending it).
 */
export class OutputBuffer {
  private buf = Buffer.allocUnsafe(BLOCK)
  private pos = 0
  private readonly sink: (chunk: Buffer | string) => void

  constructor (sink: (chunk: Buffer | string) => void) {
    this.sink = sink
  }

  write (text: string): void {
    // UTF-16 unit → at most 3 UTF-8 bytes
    if (this.pos + text.length * 3 > BLOCK) {
      this.flush()
      if (text.length * 3 > BLOCK) { this.sink(text); return }
    }
    this.pos += this.buf.write(text, this.pos)
  }

  /** `a<TAB>b<LF>`, without building that string (and copying it flat) first */
  writeLine (a: string, b: string): void {
    if (this.pos + (a.length + b.length) * 3 + 2 > BLOCK) {
      this.write(`${a}\t${b}\n`)
      return
    }
    this.pos += this.buf.write(a, this.pos)
    this.buf[this.pos++] = 9
    this.pos += this.buf.write(b, this.pos)
    this.buf[this.pos++] = 10
  }

  flush (): void {
    if (this.pos === 0) return
    this.sink(this.buf.subarray(0, this.pos))
    this.buf = Buffer.allocUnsafe(BLOCK)
    this.pos = 0
  }
}

const BLOCK = 1 << 16

import { execFile, type ExecFileException } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
import { ErrorCodes, palisadeError } from '../common/errors.ts'

/**
 * Jsonnet is evaluated by a `jsonnet` command (Debian's by default; `PALISADE_JSONNET` names
 * another: go-jsonnet's and jrsonnet's take the same arguments) in a child process with bounds,
 * because the language is Turing-complete and reads any file it names:
 *  - time: a `tailstrict` loop never ends; the child is killed after `timeoutMs`;
 *  - memory: the child's address space is capped with prlimit(1) (RLIMIT_AS), so a
 *    `std.range(1, 1e9)` fails in the child instead of swapping the host;
 *  - output: capped at 64 MiB;
 *  - error text: reduced to its location and message, with every piece of an imported file's
 *    content withheld (`error importstr '/etc/shadow'` would otherwise print the file, and the
 *    daemon's log may be readable by more people than the file is).
 * No npm package evaluates the current standard library under a licence (docs/configuration.md,
 * "Jsonnet", says which were tried and why each was refused), hence the command.
 */
export interface JsonnetLimits {
  /** ms before the evaluation is killed */
  timeoutMs: number
  /** bytes of address space for the child */
  memoryBytes: number
}

/**
 * One `--ext-str NAME=VALUE` / `--ext-code NAME=CODE` variable (`std.extVar(NAME)`). Without a value
 * it is read from the environment variable NAME, as the jsonnet command itself does: the child
 * inherits the environment, so a secret given that way never appears in a process list.
 */
export interface JsonnetExtVar {
  kind: 'str' | 'code'
  name: string
  value?: string
}

// the same rule as a Jsonnet identifier, which also keeps `NAME=` unambiguous and NAME a valid
// environment variable name
const EXT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** `NAME=VALUE` or `NAME` as given after `--ext-str` / `--ext-code`. */
export function parseExtVar (kind: 'str' | 'code', arg: string): JsonnetExtVar {
  const eq = arg.indexOf('=')
  const name = eq === -1 ? arg : arg.slice(0, eq)
  if (!EXT_NAME.test(name)) {
    throw palisadeError(ErrorCodes.CONFIG_JSONNET,
      `--ext-${kind} ${JSON.stringify(arg)}: expected NAME=VALUE, or NAME alone to read the environment variable NAME; ` +
      'NAME is letters, digits and _, not starting with a digit')
  }
  return eq === -1 ? { kind, name } : { kind, name, value: arg.slice(eq + 1) }
}

/** The interpreter's arguments for `vars`; a name given twice, or an unset environment variable, is refused. */
export function extVarArgs (vars: readonly JsonnetExtVar[], env: NodeJS.ProcessEnv = process.env): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  for (const v of vars) {
    if (seen.has(v.name)) throw palisadeError(ErrorCodes.CONFIG_JSONNET, `external variable ${v.name} is given twice`)
    seen.add(v.name)
    if (v.value === undefined && env[v.name] === undefined) {
      throw palisadeError(ErrorCodes.CONFIG_JSONNET,
        `--ext-${v.kind} ${v.name}: the environment variable ${v.name} is not set (or give ${v.name}=VALUE)`)
    }
    out.push(`--ext-${v.kind}`, v.value === undefined ? v.name : `${v.name}=${v.value}`)
  }
  return out
}

export const JSONNET_LIMITS: JsonnetLimits = { timeoutMs: 10_000, memoryBytes: 1024 * 1024 * 1024 }
const MAX_OUTPUT = 64 * 1024 * 1024
const MAX_MESSAGE = 300
const PRLIMIT = '/usr/bin/prlimit'

export async function evaluateJsonnet (
  file: string, limits: JsonnetLimits = JSONNET_LIMITS, ext: readonly JsonnetExtVar[] = []
): Promise<string> {
  const command = process.env.PALISADE_JSONNET ?? 'jsonnet'
  // `--` ends the options: a configuration file named `-x.jsonnet` stays a file
  const args = [command, ...extVarArgs(ext), '--', file]
  const argv = existsSync(PRLIMIT) ? [PRLIMIT, `--as=${limits.memoryBytes}`, '--', ...args] : args
  const result = await new Promise<{ err: ExecFileException | null, stdout: string, stderr: string }>(resolve => {
    execFile(argv[0], argv.slice(1), { maxBuffer: MAX_OUTPUT, encoding: 'utf8', timeout: limits.timeoutMs, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => resolve({ err, stdout, stderr }))
  })
  if (result.err === null) return result.stdout
  const { err, stderr } = result
  if (err.code === 'ENOENT' || /prlimit: failed to execute/.test(stderr)) {
    throw palisadeError(ErrorCodes.CONFIG_JSONNET, `${file}: jsonnet command not found: apt install jsonnet (or set PALISADE_JSONNET)`, err)
  }
  if (err.killed === true && err.signal === 'SIGKILL') {
    throw palisadeError(ErrorCodes.CONFIG_JSONNET, `${file}: jsonnet did not finish within ${limits.timeoutMs / 1000}s (an endless recursion?); evaluation stopped`)
  }
  if (err.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
    throw palisadeError(ErrorCodes.CONFIG_JSONNET, `${file}: jsonnet output is over ${MAX_OUTPUT / 1024 / 1024} MiB; evaluation stopped`)
  }
  if (err.signal === 'SIGABRT' || /bad_alloc|out of memory/i.test(stderr)) {
    throw palisadeError(ErrorCodes.CONFIG_JSONNET, `${file}: jsonnet ran out of memory (limit ${Math.round(limits.memoryBytes / 1024 / 1024)} MiB); evaluation stopped`)
  }
  const secrets = await importedContents(file)
  throw palisadeError(ErrorCodes.CONFIG_JSONNET, `${file}: jsonnet failed: ${scrubError(stderr, secrets)}${await newerStd(stderr)}`)
}

/**
 * The hint for `field does not exist: trim` raised at a `std.trim` call: the configuration is
 * fine, the interpreter's standard library is older than it (Debian 12's jsonnet is 0.18). The
 * line is only matched, never quoted.
 */
async function newerStd (stderr: string): Promise<string> {
  const lines = stderr.split('\n')
  const name = /^RUNTIME ERROR: field does not exist: ([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(lines[0] ?? '')?.[1]
  const at = lines.slice(1).map(l => /^\s*([^\s:][^:\s]*):(\d+):\d+/.exec(l)).find(m => m !== null)
  if (name === undefined || at === undefined) return ''
  let line: string | undefined
  try {
    line = (await readFile(at[1], 'utf8')).split('\n')[Number(at[2]) - 1]
  } catch {
    return ''
  }
  if (line === undefined || !new RegExp(String.raw`\bstd\s*\.\s*${name}\b`).test(line)) return ''
  return ` (std.${name} is newer than this jsonnet command's standard library: Debian 12's jsonnet 0.18 lacks it; ` +
    'install jsonnet 0.21 or later and set PALISADE_JSONNET, see docs/configuration.md, "Jsonnet")'
}

/**
 * `location: message` from the interpreter's report, without its stack trace, and with the
 * message withheld when it holds any piece of an imported file. Both C++ and Go forms:
 * `STATIC ERROR: f:1:2-3: msg`, `RUNTIME ERROR: msg\n\tf:1:2-3\t…`.
 */
export function scrubError (stderr: string, secrets: readonly string[]): string {
  const lines = stderr.split('\n').map(l => l.trim()).filter(l => l !== '')
  const first = lines[0] ?? 'no error text'
  const kind = /^(STATIC|RUNTIME) ERROR:?/i.exec(first)?.[0].replace(/:$/, '').toLowerCase() ?? 'error'
  let rest = first.replace(/^(STATIC|RUNTIME) ERROR:?\s*/i, '')
  // a file name, or `<extvar:NAME>` for an error in --ext-code
  let where = /^((?:<extvar:[^>]*>|[^\s:][^:]*):\d+:\d+(?:-\d+)?(?:\)?)):\s*/.exec(rest)?.[1]
  if (where !== undefined) rest = rest.slice(rest.indexOf(where) + where.length).replace(/^:\s*/, '')
  where ??= lines.slice(1).map(l => /^((?:<extvar:[^>]*>|[^\s:][^:\s]*):\d+:\d+(?:-\d+)?)/.exec(l)?.[1])
    .find(w => w !== undefined)
  if (where !== undefined && leaks(where, secrets)) where = '(an imported file)'
  const message = leaks(rest, secrets)
    ? 'message withheld: it quotes the content of an imported file'
    : rest.length > MAX_MESSAGE ? rest.slice(0, MAX_MESSAGE) + '…' : rest
  return `${where === undefined ? '' : where + ': '}${kind}: ${message}`
}

/** True when `text` holds a line (or a 12-character piece of a line) of any secret. */
function leaks (text: string, secrets: readonly string[]): boolean {
  for (const s of secrets) {
    for (const raw of s.split('\n')) {
      const line = raw.trim()
      if (line.length < 2) continue
      if (text.includes(line)) return true
      for (let i = 0; i + 12 <= line.length; i += 6) if (text.includes(line.slice(i, i + 12))) return true
    }
  }
  return false
}

// import paths are string literals in Jsonnet: "…", '…', @"…", @'…' or a ||| text block, with
// comments allowed between the keyword and the literal
const GAP = String.raw`(?:\s|/\*[\s\S]*?\*/|//[^\n]*(?:\n|$)|#[^\n]*(?:\n|$))*`
const IMPORT = new RegExp(String.raw`\b(import|importstr|importbin)${GAP}(@?"(?:[^"\\]|\\[\s\S])*"|@?'(?:[^'\\]|\\[\s\S])*'|\|\|\|[\s\S]*?\|\|\|)`, 'g')
const MAX_IMPORT_BYTES = 1024 * 1024
const MAX_IMPORTED_FILES = 200

function literalValue (lit: string): string[] {
  if (lit.startsWith('|||')) {
    const body = lit.slice(3, -3).replace(/^[^\n]*\n/, '')
    return [body, body.trim()]
  }
  if (lit.startsWith('@')) {
    const q = lit[1]
    return [lit.slice(2, -1).replaceAll(q + q, q)]
  }
  const inner = lit.slice(1, -1)
  try {
    return [JSON.parse('"' + inner.replace(/\\'/g, "'").replace(/(?<!\\)"/g, '\\"') + '"') as string]
  } catch {
    return [inner]
  }
}

/**
 * What error messages must never quote: every file read with importstr/importbin, and every
 * Jsonnet file imported from outside the configuration's directory (libraries beside the
 * configuration are the configuration, and their messages are the admin's own).
 */
async function importedContents (main: string): Promise<string[]> {
  const home = dirname(resolve(main)) + '/'
  const seen = new Set<string>([resolve(main)])
  const out: string[] = []
  const queue: Array<{ file: string, code: boolean }> = [{ file: resolve(main), code: true }]
  while (queue.length > 0 && seen.size <= MAX_IMPORTED_FILES) {
    const { file, code } = queue.shift()!
    let text: string
    try {
      text = (await readFile(file)).subarray(0, MAX_IMPORT_BYTES).toString('utf8')
    } catch {
      continue
    }
    if (!code || !file.startsWith(home)) out.push(text)
    if (!code) continue
    for (const m of text.matchAll(IMPORT)) {
      for (const p of literalValue(m[2])) {
        const target = isAbsolute(p) ? p : resolve(dirname(file), p)
        if (seen.has(target)) continue
        seen.add(target)
        queue.push({ file: target, code: m[1] === 'import' })
      }
    }
  }
  return out
}

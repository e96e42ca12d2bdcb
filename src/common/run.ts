import { spawn } from 'node:child_process'

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  /** the last KiB of stderr, for error messages */
  stderr: string
}

export interface RunOptions {
  stdin?: string | Buffer
  /** kill the process (group) after this many ms */
  timeoutMs?: number
  /** keep at most this many bytes of stdout (the rest is dropped) */
  maxStdout?: number
}

/**
 * Run an argv without a shell and collect its output. Every external command Palisade runs
 * (actions, start/stop, nft, ipset, jsonnet) goes through here or through the stream supervisor:
 * there is no code path that hands a string to /bin/sh.
 */
export function runArgv (argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (argv.length === 0) { reject(new Error('empty command')); return }
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], detached: true })
    const out: Buffer[] = []
    let outLen = 0
    const maxOut = opts.maxStdout ?? 64 * 1024 * 1024
    let err = Buffer.alloc(0)
    child.stdout.on('data', (b: Buffer) => { if (outLen < maxOut) { out.push(b); outLen += b.length } })
    child.stderr.on('data', (b: Buffer) => { err = Buffer.concat([err, b]).subarray(-1024) })
    let timer: NodeJS.Timeout | undefined
    if (opts.timeoutMs !== undefined) {
      timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL') } catch {} }, opts.timeoutMs)
    }
    child.on('error', e => { clearTimeout(timer); reject(e) })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: err.toString('utf8').trim() })
    })
    child.stdin.on('error', () => {})
    child.stdin.end(opts.stdin ?? '')
  })
}

/** "exit 3: iptables: Bad rule" — one line for logs and error messages. */
export function describeFailure (r: RunResult): string {
  const how = r.signal !== null ? `killed by ${r.signal}` : `exit ${String(r.code)}`
  const last = r.stderr.split('\n').filter(Boolean).pop()
  return last === undefined ? how : `${how}: ${last}`
}

import { spawn, type ChildProcess } from 'node:child_process'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { after } from 'node:test'
import { waitFor } from './wait.ts'

export const ROOT = join(import.meta.dirname, '../..')
export const BIN = join(ROOT, 'bin/palisade.ts')

export interface CliResult { code: number, stdout: string, stderr: string }

/** Run the real CLI (`node bin/palisade.ts …`), optionally inside a network namespace. */
export function cli (
  args: readonly string[],
  opts: { netns?: string; input?: string; env?: NodeJS.ProcessEnv } = {}
): Promise<CliResult> {
  const argv =
    opts.netns === undefined
      ? [process.execPath, BIN, ...args]
      : ['ip', 'netns', 'exec', opts.netns, process.execPath, BIN, ...args]
  return new Promise(resolve => {
    const child = execFile(
      argv[0],
      argv.slice(1),
      { env: { ...process.env, ...opts.env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr })
      }
    )
    if (opts.input !== undefined) child.stdin?.end(opts.input)
  })
}

export interface RunningDaemon {
  child: ChildProcess
  /** everything the daemon logged so far */
  log: () => string
  /** SIGTERM and wait for exit */
  stop: () => Promise<number | null>
  /** SIGKILL, no cleanup at all */
  kill9: () => Promise<void>
}

/**
 * Start `palisade start -c CONFIG`. Unless `keep`, it is killed by an `after()` hook of the
 * scope that started it — inside a test, that is the end of that test; pass `keep: true` when a
 * later test still needs the daemon (and stop it yourself).
 */
export async function startDaemon (
  config: string,
  socket: string,
  opts: {
    netns?: string; env?: NodeJS.ProcessEnv; keep?: boolean; wrap?: readonly string[]; bin?: string
    /** more arguments of `start` */
    args?: readonly string[]
  } = {}
): Promise<RunningDaemon> {
  // `wrap` runs the daemon under another command inside the namespace (e.g. setpriv with fewer capabilities)
  // killed with the test process: a runner killed by a timeout left daemons (and their namespaces) behind.
  // setpriv and `ip netns exec` exec in place, so the parent that dies is this process
  const daemon = ['setpriv', '--pdeathsig', 'KILL', ...(opts.wrap ?? []), process.execPath, opts.bin ?? BIN, 'start', '-c', config, ...(opts.args ?? [])]
  const argv = opts.netns === undefined ? daemon : ['ip', 'netns', 'exec', opts.netns, ...daemon]
  const child = spawn(argv[0], argv.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PALISADE_LOG_LEVEL: 'debug', ...opts.env }
  })
  let output = ''
  child.stdout!.on('data', (b: Buffer) => {
    output += b.toString()
  })
  child.stderr!.on('data', (b: Buffer) => {
    output += b.toString()
  })
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
  if (opts.keep !== true) {
    after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    })
  }
  await waitFor(
    `daemon socket ${socket}`,
    async () => {
      if (child.exitCode !== null) throw new Error(`daemon exited ${child.exitCode}: ${output}`)
      const r = await cli(['-s', socket, 'show', '--json'], { netns: opts.netns })
      return r.code === 0
    },
    30_000
  ).catch(err => {
    throw new Error(`${(err as Error).message}\n--- daemon output ---\n${output}`)
  })
  return {
    child,
    log: () => output,
    stop: async () => {
      child.kill('SIGTERM')
      return await exited
    },
    kill9: async () => {
      child.kill('SIGKILL')
      await exited
    }
  }
}

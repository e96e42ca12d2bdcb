import { spawn, type ChildProcess } from 'node:child_process'
import { connect, createServer } from 'node:net'
import { BIN, NODE, sleep } from './common.ts'

export interface BenchDaemon {
  child: ChildProcess
  /** pid of the node process itself (`ip netns exec` execs it in place) */
  pid: number
  output: () => string
  /** SIGTERM, then SIGKILL after 10 s; resolves with the exit code */
  stop: () => Promise<number | null>
}

/** `palisade start -c CONFIG` as a real process (inside `netns` when given); resolves once its socket answers. */
export async function startBenchDaemon (
  config: string,
  socket: string,
  opts: { netns?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; bin?: string } = {}
): Promise<BenchDaemon> {
  const argv = [NODE, opts.bin ?? BIN, 'start', '-c', config]
  const full = opts.netns === undefined ? argv : ['ip', 'netns', 'exec', opts.netns, ...argv]
  const child = spawn(full[0], full.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env }
  })
  let out = ''
  const keep = (b: Buffer): void => {
    out = (out + b.toString()).slice(-200_000)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
  const stop = async (): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
    child.kill('SIGTERM')
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000)
    const code = await exited
    clearTimeout(t)
    return code
  }
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000)
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) { throw new Error(`daemon exited (${child.exitCode ?? child.signalCode}):\n${out.slice(-3000)}`) }
    // a connect is enough (the socket is bound after everything but the streams): spawning the
    // CLI to ask would cost ~0.7 s of CPU per try, which 20 daemons starting together cannot afford
    if (await accepts(socket)) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`daemon not ready after ${opts.timeoutMs ?? 60_000} ms:\n${out.slice(-3000)}`)
    }
    await sleep(200)
  }
  return { child, pid: child.pid!, output: () => out, stop }
}

function accepts (socket: string): Promise<boolean> {
  return new Promise(resolve => {
    const c = connect(socket)
    c.once('connect', () => { c.destroy(); resolve(true) })
    c.once('error', () => resolve(false))
  })
}

/** a TCP port free on 127.0.0.1 right now (the kernel's choice) */
export function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

/** one Prometheus sample value from /metrics text (summed over label sets) */
export function metricValue (text: string, name: string): number {
  let sum = 0
  let found = false
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const rest = line.slice(name.length)
    if (rest[0] !== ' ' && rest[0] !== '{') continue
    sum += Number(line.slice(line.lastIndexOf(' ') + 1))
    found = true
  }
  return found ? sum : NaN
}

/**
 * The one config the daemon benches run: an sshd-style filter on a followed file. Writes
 * DIR/palisade.yml and returns its path; `extra` is appended as top-level YAML.
 */
export async function writeSshConfig (
  dir: string,
  socket: string,
  log: string,
  opts: { retry: number; backend: string; extra?: string }
): Promise<string> {
  const { writeFile } = await import('node:fs/promises')
  const { join } = await import('node:path')
  const config = join(dir, 'palisade.yml')
  await writeFile(
    config,
    `
state: ${join(dir, 'state')}
socket: ${socket}
patterns: {ip: {type: ip}}
streams:
  ssh:
    file: ${log}
    filters:
      failedlogin: {regex: ['Failed password for .* from <ip> port \\d+(?: ssh2)?$'], retry: ${opts.retry}, retryperiod: 10m, ban: 1h}
firewall: {backend: ${opts.backend}}
${opts.extra ?? ''}
`
  )
  return config
}

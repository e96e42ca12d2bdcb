import { createServer, connect, type Server, type Socket } from 'node:net'
import { chmod, mkdir, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { ErrorCodes, PalisadeError, palisadeError } from '../common/errors.ts'
import type { Logger } from '../common/logger.ts'
import {
  MAX_REQUEST_BYTES,
  parseRequest,
  type ControlResponse,
  type ControlVerb,
  type ControlVerbs,
  type ControlVerbSource
} from './protocol.ts'

/**
 * Bounds of the control socket (docs/limits.md). The socket is 0600, so every client is root or
 * the daemon's user; the bounds keep a runaway script from stalling detection, not a stranger out.
 */
export interface ControlLimits {
  /** connections open at once; more are answered "busy" and closed */
  maxConnections: number
  /** listing commands (show, feed) evaluated at once; the others wait their turn, cheap ones do not */
  heavyConcurrency: number
  /** ms for a client to send its whole request line */
  requestTimeoutMs: number
}

export const CONTROL_LIMITS: ControlLimits = { maxConnections: 1024, heavyConcurrency: 2, requestTimeoutMs: 5_000 }

// the kernel queues this many connections not yet accepted; past it a client is refused outright
const LISTEN_BACKLOG = 1024

/** The daemon side of the control socket. */
export class ControlServer {
  private readonly path: string
  private readonly source: ControlVerbSource
  private verbs: Promise<ControlVerbs> | undefined
  private readonly log: Logger
  private readonly limits: ControlLimits
  private server: Server | undefined
  private open = 0
  private heavyRunning = 0
  private readonly heavyQueue: Array<() => void> = []

  constructor (
    path: string,
    verbs: ControlVerbSource,
    logger: Logger,
    limits: ControlLimits = CONTROL_LIMITS
  ) {
    this.path = path
    this.source = verbs
    this.log = logger.child({ component: 'control' })
    this.limits = limits
  }

  async start (): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 })
    await removeStaleSocket(this.path)
    const server = createServer(sock => this.serve(sock))
    // the socket must never exist with looser permissions than 0600, not even briefly
    const oldMask = process.umask(0o177)
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen({ path: this.path, backlog: LISTEN_BACKLOG }, () => {
          server.off('error', reject)
          resolve()
        })
      })
    } finally {
      process.umask(oldMask)
    }
    try {
      await chmod(this.path, 0o600)
    } catch (err) {
      // a listening server nobody will close keeps the process alive after a failed start
      await new Promise<void>(resolve => server.close(() => resolve()))
      throw err
    }
    this.server = server
  }

  async stop (): Promise<void> {
    const s = this.server
    this.server = undefined
    if (s === undefined) return
    await new Promise<void>(resolve => s.close(() => resolve()))
    await unlink(this.path).catch(() => {})
  }

  private serve (sock: Socket): void {
    sock.on('error', () => {})
    if (this.open >= this.limits.maxConnections) {
      sock.end(
        JSON.stringify(
          fail(ErrorCodes.CONTROL_BUSY, `the daemon has ${this.open} control connections open; try again`)
        ) + '\n'
      )
      return
    }
    this.open++
    sock.once('close', () => {
      this.open--
    })
    let buf = ''
    let done = false
    sock.setEncoding('utf8')
    // the whole request line within requestTimeoutMs, however slowly it trickles in
    // (decided after the poll phase: when the daemon itself was busy, the client's bytes may be
    // waiting unread, and a slow server must not be taken for a slow client)
    const deadline = setTimeout(
      () =>
        setImmediate(() => {
          if (!done) sock.destroy()
        }),
      this.limits.requestTimeoutMs
    )
    sock.once('close', () => clearTimeout(deadline))
    // a client that stops sending before its newline has no request to answer
    sock.once('end', () => {
      if (!done) sock.destroy()
    })
    sock.on('data', (chunk: string) => {
      if (done) return
      buf += chunk
      const nl = buf.indexOf('\n')
      if (nl === -1 && buf.length <= MAX_REQUEST_BYTES) return
      done = true
      clearTimeout(deadline)
      sock.pause()
      if (nl === -1 || nl > MAX_REQUEST_BYTES) {
        this.reply(sock, fail(ErrorCodes.CONTROL_BAD_REQUEST, `request over ${MAX_REQUEST_BYTES} bytes`))
        return
      }
      void this.handle(buf.slice(0, nl)).then(r => this.reply(sock, r))
    })
  }

  private async handle (line: string): Promise<ControlResponse> {
    const req = parseRequest(line)
    if (req === null) return fail(ErrorCodes.CONTROL_BAD_REQUEST, 'malformed request')
    let verb: ControlVerb | undefined
    try {
      verb = await this.verb(req.cmd)
    } catch (err) {
      this.log.error({ err }, 'control: loading the command table failed')
      return fail('PAL_ERR_INTERNAL', (err as Error).message)
    }
    if (verb === undefined) return fail(ErrorCodes.CONTROL_BAD_REQUEST, `unknown command ${JSON.stringify(req.cmd)}`)
    const heavy = verb.heavy
    if (heavy) await this.acquireHeavy()
    try {
      return { ok: true, result: await verb.run(req.args) }
    } catch (err) {
      if (err instanceof PalisadeError) return fail(err.code, err.message)
      this.log.error({ err, cmd: req.cmd }, 'control command failed')
      return fail('PAL_ERR_INTERNAL', (err as Error).message)
    } finally {
      if (heavy) this.releaseHeavy()
    }
  }

  private async verb (cmd: string): Promise<ControlVerb | undefined> {
    const source = this.source
    this.verbs ??= typeof source === 'function' ? source() : Promise.resolve(source)
    // a failed load is tried again by the next request
    this.verbs.catch(() => { this.verbs = undefined })
    const v = (await this.verbs).get(cmd)
    return typeof v === 'function' ? { heavy: false, run: v } : v
  }

  private async acquireHeavy (): Promise<void> {
    if (this.heavyRunning < this.limits.heavyConcurrency) {
      this.heavyRunning++
      return
    }
    await new Promise<void>(resolve => this.heavyQueue.push(resolve))
  }

  private releaseHeavy (): void {
    const next = this.heavyQueue.shift()
    // the next listing starts on a later turn of the event loop: streams and timers run between
    if (next !== undefined) setImmediate(next)
    else this.heavyRunning--
  }

  private reply (sock: Socket, r: ControlResponse): void {
    sock.end(JSON.stringify(r) + '\n')
  }
}

function fail (code: string, error: string): ControlResponse {
  return { ok: false, code, error }
}

/** A socket file left by a dead daemon is removed; one answered by a live daemon is an error. */
async function removeStaleSocket (path: string): Promise<void> {
  const alive = await new Promise<boolean>(resolve => {
    const s = connect(path)
    s.once('connect', () => { s.destroy(); resolve(true) })
    s.once('error', () => resolve(false))
  })
  if (alive) throw palisadeError(ErrorCodes.CONTROL_SOCKET_IN_USE, `another palisade daemon is listening on ${path}`)
  await unlink(path).catch(() => {})
}

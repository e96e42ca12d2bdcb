import { createServer, connect, type Server, type Socket } from 'node:net'
import { chmod, mkdir, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { ErrorCodes, PalisadeError, palisadeError } from '../common/errors.ts'
import type { Logger } from '../common/logger.ts'
import { MAX_REQUEST_BYTES, type ControlHandler, type ControlRequest, type ControlResponse } from './protocol.ts'

/** The daemon side of the control socket. */
export class ControlServer {
  private readonly path: string
  private readonly handlers: ReadonlyMap<string, ControlHandler>
  private readonly log: Logger
  private server: Server | undefined

  constructor (path: string, handlers: ReadonlyMap<string, ControlHandler>, logger: Logger) {
    this.path = path
    this.handlers = handlers
    this.log = logger.child({ component: 'control' })
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
        server.listen(this.path, () => { server.off('error', reject); resolve() })
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
    let buf = ''
    sock.setEncoding('utf8')
    sock.setTimeout(30_000, () => sock.destroy())
    sock.on('error', () => {})
    sock.on('data', (chunk: string) => {
      buf += chunk
      if (buf.length > MAX_REQUEST_BYTES) { this.reply(sock, fail(ErrorCodes.CONTROL_BAD_REQUEST, 'request too large')); return }
      const nl = buf.indexOf('\n')
      if (nl === -1) return
      sock.pause()
      void this.handle(buf.slice(0, nl)).then(r => this.reply(sock, r))
    })
  }

  private async handle (line: string): Promise<ControlResponse> {
    let req: ControlRequest
    try {
      req = JSON.parse(line) as ControlRequest
      if (typeof req?.cmd !== 'string' || typeof req.args !== 'object' || req.args === null) throw new Error('shape')
    } catch {
      return fail(ErrorCodes.CONTROL_BAD_REQUEST, 'malformed request')
    }
    const h = this.handlers.get(req.cmd)
    if (h === undefined) return fail(ErrorCodes.CONTROL_BAD_REQUEST, `unknown command ${JSON.stringify(req.cmd)}`)
    try {
      return { ok: true, result: await h(req.args) }
    } catch (err) {
      if (err instanceof PalisadeError) return fail(err.code, err.message)
      this.log.error({ err, cmd: req.cmd }, 'control command failed')
      return fail('PAL_ERR_INTERNAL', (err as Error).message)
    }
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

import { connect } from 'node:net'
import { ErrorCodes, PalisadeError, palisadeError } from '../common/errors.ts'
import type { ControlResponse } from './protocol.ts'

/** Send one command to the daemon; resolves with its result or rejects with its PalisadeError. */
export function callDaemon (
  path: string,
  cmd: string,
  args: Record<string, unknown> = {},
  timeoutMs = 30_000
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const sock = connect(path)
    let buf = ''
    sock.setEncoding('utf8')
    sock.setTimeout(timeoutMs, () => {
      sock.destroy()
      reject(
        palisadeError(ErrorCodes.CONTROL_NO_DAEMON, `no answer from the daemon on ${path} within ${timeoutMs / 1000}s`)
      )
    })
    sock.on('connect', () => sock.write(JSON.stringify({ cmd, args }) + '\n'))
    sock.on('data', (c: string) => {
      buf += c
    })
    sock.on('error', (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
          ? 'is the daemon running? (palisade start -c FILE)'
          : err.message
      reject(palisadeError(ErrorCodes.CONTROL_NO_DAEMON, `cannot reach the daemon on ${path}: ${why}`, err))
    })
    sock.on('end', () => {
      try {
        const r = JSON.parse(buf) as ControlResponse
        if (r.ok) resolve(r.result)
        else reject(new PalisadeError(r.code, r.error))
      } catch {
        reject(palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, 'the daemon sent a malformed answer'))
      }
    })
  })
}

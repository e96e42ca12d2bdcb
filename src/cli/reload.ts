import { ErrorCodes, PalisadeError } from '../common/errors.ts'
import type { ReloadResult } from '../daemon-reload.ts'
import { callDaemon } from '../control/socket-client.ts'
import type { GlobalOptions } from './main.ts'
import { out, socketFrom } from './context.ts'

/**
 * Ask the running daemon to read its configuration again. An invalid configuration is refused
 * (the daemon keeps the one it runs): every error is printed, one `file:line:col: path: message`
 * a line, and the exit code is 1.
 */
export async function commandReload (g: GlobalOptions, o: { json?: boolean }): Promise<void> {
  let r: ReloadResult
  try {
    // a reload restarts streams and may rebuild the firewall table: more than a listing's time
    r = await callDaemon(await socketFrom(g), 'reload', {}, 120_000) as ReloadResult
  } catch (err) {
    if (err instanceof PalisadeError && err.code === ErrorCodes.CONFIG_INVALID) {
      process.stderr.write('palisade: the new configuration is invalid; the daemon keeps running the previous one\n')
      for (const line of err.message.split('\n')) process.stderr.write(`${line}\n`)
      process.exitCode = 1
      return
    }
    throw err
  }
  if (o.json === true) { out(JSON.stringify(r)); return }
  out(`reloaded: ${r.summary}`)
  if (r.lifted.length > 0) out(`bans lifted: ${r.lifted.join(', ')}`)
  if (r.banned.length > 0) out(`banned under the new trust settings: ${r.banned.join(', ')}`)
  if (r.failed.length > 0) process.exitCode = 1
}

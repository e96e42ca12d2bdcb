import { ErrorCodes, PalisadeError } from '../../common/errors.ts'
import type { ReloadReport } from '../stages.ts'
import { command } from './types.ts'

/** an invalid configuration is answered as this, every error of it in the message */
type Reloaded = ReloadReport | { invalid: string }

/**
 * Ask the running daemon to read its configuration again. An invalid configuration is refused
 * (the daemon keeps the one it runs): every error is printed, one `file:line:col: path: message`
 * a line, and the exit code is 1.
 */
export const reload = command<Record<string, never>, Reloaded>({
  socket: {
    verb: 'reload',
    schema: z => z.strictObject({}),
    // re-reads the configuration the daemon started with and applies what changed (src/daemon-reload.ts)
    handle: async s => await s.reload()
  },
  call: async i => {
    try {
      // a reload restarts streams and may rebuild the firewall table: more than a listing's time
      return await i.ask('reload', {}, 120_000) as ReloadReport
    } catch (err) {
      if (err instanceof PalisadeError && err.code === ErrorCodes.CONFIG_INVALID) return { invalid: err.message }
      throw err
    }
  },
  ownFormats: true,
  print: (r, i) => {
    if ('invalid' in r) {
      process.stderr.write('palisade: the new configuration is invalid; the daemon keeps running the previous one\n')
      for (const line of r.invalid.split('\n')) process.stderr.write(`${line}\n`)
      return { text: '', exitCode: 1 }
    }
    if (i.format === 'json') return JSON.stringify(r)
    const lines = [`reloaded: ${r.summary}`]
    if (r.lifted.length > 0) lines.push(`bans lifted: ${r.lifted.join(', ')}`)
    if (r.banned.length > 0) lines.push(`banned under the new trust settings: ${r.banned.join(', ')}`)
    return { text: lines.join('\n'), exitCode: r.failed.length > 0 ? 1 : 0 }
  }
})

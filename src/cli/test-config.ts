import { stringify } from 'yaml'
import { ConfigInvalidError } from '../common/errors.ts'
import { formatIssue } from '../common/errors.ts'
import type { GlobalOptions } from '../control/commands/types.ts'
import { configFrom, defaultConfigPath, extVarsOf, out } from './context.ts'

/** Print the normalised configuration, or every error (file:line:col: path: message) and exit 1. */
export async function commandTestConfig (
  g: GlobalOptions, o: { json?: boolean, sources?: boolean, extStr?: unknown, extCode?: unknown }
): Promise<void> {
  const ext = await extVarsOf(o)
  try {
    const config = await configFrom(g, ext)
    if (o.sources === true) {
      // which file set each value (base files, then the *.local.yml override layer)
      const { configOrigins } = await import('../config/origins.ts')
      const { defaultEnv } = await import('../config/index.ts')
      const origins = await configOrigins(g.config ?? defaultConfigPath(), defaultEnv(), ext)
      out(o.json === true
        ? JSON.stringify(origins, null, 2)
        : origins.map(x => `${x.path}: ${JSON.stringify(x.value)}  # ${x.where}`).join('\n') + '\n')
      return
    }
    // what became of keys with no exact equivalent (reaction's plugins...): comments above the YAML
    const { notes = [], ...shown } = config
    out(o.json === true
      ? JSON.stringify(config, null, 2)
      : notes.map(n => `# note: ${n}\n`).join('') + stringify(shown, { lineWidth: 0 }))
  } catch (err) {
    if (!(err instanceof ConfigInvalidError)) throw err
    for (const i of err.issues) process.stderr.write(formatIssue(i) + '\n')
    process.stderr.write(`palisade: ${err.issues.length} configuration error${err.issues.length === 1 ? '' : 's'}\n`)
    process.exitCode = 1
  }
}

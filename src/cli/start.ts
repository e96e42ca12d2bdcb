import { createLogger } from '../common/logger.ts'
import { ErrorCodes, palisadeError } from '../common/errors.ts'
import type { GlobalOptions } from '../control/commands/types.ts'
import type { Config } from '../config/types.ts'
import { defaultConfigPath, extVarsOf } from './context.ts'

// pino's levels; reaction's (DEBUG, INFO, WARN, ERROR) in lower case are among them
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal']

/** Run the daemon until SIGINT/SIGTERM (a second signal exits at once); SIGHUP reloads the configuration. */
export async function commandStart (
  g: GlobalOptions, o: { logLevel?: string, extStr?: unknown, extCode?: unknown } = {}
): Promise<void> {
  if (o.logLevel !== undefined && !LEVELS.includes(o.logLevel)) {
    throw palisadeError(ErrorCodes.CLI_USAGE, `-l/--log-level ${JSON.stringify(o.logLevel)}: one of ${LEVELS.join(', ')}`)
  }
  // SIGHUP's default action kills the process and leaves its socket behind: caught from the first moment
  let onHup = (): void => { process.stderr.write('palisade: SIGHUP ignored: the daemon is still starting\n') }
  process.on('SIGHUP', () => onHup())
  const configPath = g.config ?? defaultConfigPath()
  // validated in a worker thread: the daemon's heap never holds the schema and parsers
  // the same external variables reach every configuration a reload reads
  const ext = await extVarsOf(o)
  const loaded = await (await import('../config/isolated.ts')).loadConfigIsolated(configPath, { ext })
  // -s names the socket to listen on, as it names the one a client talks to (reaction's start -s)
  // the same overrides are applied to every configuration a reload reads
  const overrides = (c: Config): Config => ({
    ...c,
    socket: g.socket ?? c.socket,
    log: { ...c.log, level: o.logLevel ?? c.log.level }
  })
  const config = overrides(loaded)
  const logger = createLogger({ level: config.log.level, format: config.log.format })
  const { Daemon } = await import('../daemon.ts')
  const daemon = new Daemon({ config, logger, configPath, overrides, loadOptions: { ext } })
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) { logger.warn({ signal }, 'second signal: exiting now'); process.exit(1) }
    stopping = true
    logger.info({ signal }, 'stopping')
    void daemon.stop().then(() => process.exit(0), err => { logger.error({ err }, 'stop failed'); process.exit(1) })
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
  onHup = () => {
    if (stopping) return
    logger.info({ signal: 'SIGHUP' }, 'reloading the configuration')
    // the daemon logs the outcome (every error of an invalid configuration included) and keeps running
    void daemon.reload().catch(() => {})
  }
  try {
    await daemon.start()
  } catch (err) {
    await daemon.stop()
    // a half-started daemon must not linger: whatever handle a failed stage left open, the
    // process ends once main has printed the reason and set the exit code
    setTimeout(() => process.exit(1), 1000).unref()
    throw err
  }
  // keep running: the streams, sockets and timers hold the event loop
  await new Promise<void>(() => {})
}

/**
 * `palisade reload` and SIGHUP: read the configuration the daemon was started with again (in a
 * worker thread, like at start), compute what changed (src/reload.ts) and hand each stage its
 * part through one small call. Bans, votes, counters, checkpoints, pending actions and peers
 * stay where they are; an invalid configuration changes nothing.
 */
import { ConfigInvalidError, ErrorCodes, formatIssue, palisadeError } from './common/errors.ts'
import { deepFreeze } from './common/freeze.ts'
import type { Config } from './config/types.ts'
import type { LoadOptions } from './config/index.ts'
import type { Daemon } from './daemon.ts'
import { describePlan, planReload, type StreamChanges } from './reload.ts'

export interface ReloadResult {
  /** one line: what was applied, what needs a restart */
  summary: string
  streams: StreamChanges
  /** dotted paths that keep their running value until a restart */
  restart: string[]
  /** bans lifted because the new allowlist protects them or their votes no longer reach the threshold */
  lifted: string[]
  /** bans made because the new trust arithmetic lets votes already counted reach the threshold */
  banned: string[]
  /** stages that failed to apply (their running configuration is kept): `stage: reason` */
  failed: string[]
}

/** Tests inject a loader; the daemon uses the isolated one (the schema never enters its heap). */
export type ConfigLoader = (path: string, options: LoadOptions) => Promise<Config>

const isolated: ConfigLoader = async (path, options) =>
  await (await import('./config/isolated.ts')).loadConfigIsolated(path, options)

export async function reloadDaemon (d: Daemon, load: ConfigLoader = isolated): Promise<ReloadResult> {
  const log = d.log
  if (d.configPath === undefined) throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, 'this daemon was not started from a configuration file: nothing to reload')
  if (!d.started || d.stopping) throw palisadeError(ErrorCodes.RELOAD_NOT_READY, 'the daemon is still starting (or stopping): reload it once it runs')
  let next: Config
  try {
    next = d.overrides(await load(d.configPath, d.loadOptions))
  } catch (err) {
    if (err instanceof ConfigInvalidError) {
      log.error({ issues: err.issues.length }, `reload refused: ${d.configPath} is invalid; still running the previous configuration`)
      for (const i of err.issues) log.error({ where: i.where, path: i.path }, `reload: ${formatIssue(i)}`)
    } else {
      log.error({ err }, `reload refused: cannot read ${d.configPath}; still running the previous configuration`)
    }
    throw err
  }

  const running = d.config
  const plan = planReload(running, next, {
    firewallTable: d.firewall.reconfigure !== undefined,
    federation: d.federation !== undefined
  })
  let config: Config = plan.effective
  const lifted: string[] = []
  const banned: string[] = []
  const failed: string[] = []
  /** a stage that fails keeps its part of the running configuration */
  const stage = async (what: string, keep: (c: Config) => Config, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn()
    } catch (err) {
      failed.push(`${what}: ${(err as Error).message}`)
      log.error({ err, stage: what }, `reload: applying ${what} failed; its running settings are kept`)
      config = keep(config)
    }
  }
  const liftedBy = (ds: ReadonlyArray<{ ban: { ip?: string; key: string } }>): void => {
    for (const x of ds) lifted.push(x.ban.ip ?? x.ban.key)
  }

  if (plan.trust) {
    await stage('trust', c => ({ ...c, trust: running.trust }), async () => {
      const peers = d.trust.reconfigure(plan.effective.trust)
      // votes of a member no longer trusted stop counting, like a revocation's (without revoking it)
      for (const key of peers.removed) if (d.trust.get(key) === undefined) liftedBy(await d.engine.revoke(key))
      // votes already counted take their author's new weight; keys that now reach the threshold ban
      for (const x of await d.engine.setTrust(plan.effective.trust, key => d.trust.get(key))) { (x.kind === 'ban' ? banned : lifted).push(x.ban.ip ?? x.ban.key) }
    })
  }
  if (plan.allow) {
    await stage('allow', c => ({ ...c, allow: running.allow, neverBan: running.neverBan }), async () => {
      liftedBy(await d.engine.setAllow(next.allow, next.neverBan))
      await d.firewallSink.settled()
      await d.firewall.setAllow(d.engine.kernelAllow())
    })
  }
  if (plan.firewallTable) {
    const fw = { hooks: plan.effective.firewall.hooks, keepOnStop: plan.effective.firewall.keepOnStop }
    await stage(
      'firewall',
      c => ({
        ...c,
        firewall: { ...c.firewall, hooks: running.firewall.hooks, keepOnStop: running.firewall.keepOnStop }
      }),
      async () => {
        await d.firewall.reconfigure!(fw, () => ({
          bans: d.firewallSink.withScopes(d.engine.kernelBans(), d.engine.bans()),
          allow: d.engine.kernelAllow()
        }))
      }
    )
  }
  const s = plan.streams
  if (s.added.length + s.removed.length + s.changed.length + s.removedFilters.length > 0) {
    await stage('streams', c => ({ ...c, streams: running.streams, patterns: running.patterns }), async () => {
      const streams = Object.values(plan.effective.streams)
      d.actions.setFilters(streams.flatMap(x => x.filters))
      await d.detector.reconfigure(streams, plan.effective.patterns, new Set(s.changed))
      d.filters = new Map(streams.flatMap(x => x.filters).map(f => [f.id, f]))
    })
  }
  if (plan.logLevel) d.setLogLevel(plan.effective.log.level)
  d.config = deepFreeze(config)
  if (s.changed.length + s.removedFilters.length > 0) {
    // a filter's `ports:`/`protocol:` may have changed: its bans move to the new scope's sets now
    await d.reconcile?.runOnce().catch(err => { log.warn({ err }, 'reload: moving bans to their new ban scopes failed; the reconcile loop will retry') })
  }
  if (plan.reconcileInterval && d.config.firewall.reconcileInterval === plan.effective.firewall.reconcileInterval) {
    d.startReconcile()
  }

  const summary = describePlan(plan) + (failed.length === 0 ? '' : `; failed: ${failed.join('; ')}`)
  log.info({ restart: plan.restart, lifted, banned, failed }, `configuration reloaded: ${summary}`)
  return { summary, streams: s, restart: plan.restart, lifted, banned, failed }
}

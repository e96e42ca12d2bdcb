/**
 * The daemon: the only place that knows the stages and their order.
 *
 *  stream cmd / file / journal ──lines──▶ detect ──Trigger──▶ Vote(self) ─┐
 *  gossip / sync ──signed observation──▶ federation ──Vote(peer)──────────┤
 *  CLI `ban` / `trigger` ──Vote(self, manual)─────────────────────────────┤
 *                                                                         ▼
 *                                   decide (one engine) ──Decision──▶ firewall · actions · store · feed · publish
 *
 * Start: `start` commands → store → trust → engine (loads bans) → firewall (restores them in one
 * transaction) → actions (replays) → reconcile loop → federation → control socket, feed → streams last,
 * so that the first trigger meets a ready pipeline.
 * Stop: streams → federation → reconcile → actions (onexit) → engine (drain) → firewall teardown
 * (unless keepOnStop) → store → `stop` commands → socket and feed.
 * Reload (`palisade reload`, SIGHUP): src/daemon-reload.ts, one small call per stage.
 */
import { networkInterfaces } from 'node:os'
import { systemClock, type Clock } from './common/clock.ts'
import { ErrorCodes, palisadeError } from './common/errors.ts'
import type { Logger } from './common/logger.ts'
import { describeFailure, runArgv } from './common/run.ts'
import type { Config, FilterConfig } from './config/types.ts'
import type { LoadOptions } from './config/index.ts'
import { createDecisionEngine, localVote, type DecisionEngine } from './decide/index.ts'
import { ActionRunner } from './decide/actions.ts'
import { FirewallSink } from './decide/sinks.ts'
import { createDetector } from './detect/index.ts'
import { readOutbox } from './detect/runner.ts'
import { VirtualStreams } from './detect/virtual-source.ts'
import type { Detector, Trigger } from './detect/types.ts'
import type { Vote } from './common/model.ts'
import { createFirewall, startReconcileLoop, type ReconcileLoop } from './firewall/index.ts'
import type { Firewall } from './firewall/types.ts'
import { createStore, type Store } from './store/index.ts'
import { createTrustPolicy, type TrustPolicy } from './trust/index.ts'
import type { Federation } from './federation/index.ts'
import type { PromMetrics } from './control/metrics.ts'
import { ControlServer } from './control/socket-server.ts'
import type { FeedServer } from './control/http-server.ts'
import { controlVerbs } from './daemon-control.ts'
import { registerGauges, startFeed, startFederation } from './daemon-outward.ts'
import { resolveBackend } from './firewall/resolve.ts'
import { releaseAnalyser } from './config/regex-safety.ts'
import { collectGarbage } from './common/gc.ts'
import { join } from 'node:path'
import { followLevels } from './log-level.ts'
import { reloadDaemon, type ReloadResult } from './daemon-reload.ts'

export interface DaemonOptions {
  config: Config
  logger: Logger
  clock?: Clock
  /** run firewall tools inside this network namespace (tests) */
  netns?: string
  /** the file or directory the configuration came from: what a reload reads again */
  configPath?: string
  /** command-line overrides (`start -s`, `-l`): applied again to every configuration a reload reads */
  overrides?: (c: Config) => Config
  /** how the configuration was read (`start --ext-str`…): a reload reads it the same way */
  loadOptions?: LoadOptions
}

/** outbox entries decided per engine batch at start */
const OUTBOX_CHUNK = 2000

/** how often this host's own addresses are re-read for the never-ban list, ms */
const OWN_ADDRESS_REFRESH = 60_000

export class Daemon {
  /** the running configuration (a reload replaces it; restart-only values stay) */
  config: Config
  readonly configPath: string | undefined
  readonly overrides: (c: Config) => Config
  readonly loadOptions: LoadOptions
  /** sets the level of the root logger and of every child the stages made (a reload) */
  readonly setLogLevel: (level: string) => void
  readonly log: Logger
  readonly clock: Clock
  /** only with a feed (the one place metrics can be read): prom-client costs ~6 MB of RSS */
  metrics: PromMetrics | undefined
  private readonly components: {
    store: Store
    clock: Clock
    logger: Logger
    metrics?: PromMetrics
    virtual: VirtualStreams
    banLines: (lines: () => readonly string[]) => void
  }

  /** reaction's virtual streams: virtual actions write here, `type: virtual` streams read */
  readonly virtual = new VirtualStreams()
  readonly store: Store
  readonly engine: DecisionEngine
  readonly actions: ActionRunner
  readonly trust: TrustPolicy
  firewall!: Firewall
  firewallSink!: FirewallSink
  detector!: Detector
  federation: Federation | undefined
  /** the firewall's drift repair; its last pass is shown by `palisade status` */
  reconcile: ReconcileLoop | undefined
  /** ms since epoch when start() began, for `palisade status` */
  startedAt: number | undefined
  private control: ControlServer | undefined
  private feed: FeedServer | undefined
  private ownTimer: { cancel(): void } | undefined
  /** filters by id (a reload replaces it) */
  filters: Map<string, FilterConfig>
  private readonly netns: string | undefined
  started = false
  /** set when stop() begins: a reload must not restart what is being stopped */
  stopping = false
  private reloading: Promise<unknown> = Promise.resolve()

  constructor (opts: DaemonOptions) {
    this.config = opts.config
    this.log = opts.logger
    this.clock = opts.clock ?? systemClock
    this.netns = opts.netns
    this.configPath = opts.configPath
    this.overrides = opts.overrides ?? (c => c)
    this.loadOptions = opts.loadOptions ?? {}
    // first: the stages below make their child loggers in their constructors
    this.setLogLevel = followLevels(this.log)
    const c = this.config
    this.filters = new Map(
      Object.values(c.streams)
        .flatMap(s => s.filters)
        .map(f => [f.id, f])
    )
    this.store = createStore({ path: join(c.state, 'db') })
    const components = (this.components = {
      store: this.store,
      clock: this.clock,
      logger: this.log,
      virtual: this.virtual,
      // the bans a burst's summary log line stands for reach the recidive streams all the same
      banLines: lines => { this.detector?.ownLogLines?.(lines) }
    })
    this.engine = createDecisionEngine(
      { trust: c.trust, escalation: c.escalation, allow: c.allow, neverBan: c.neverBan },
      components
    )
    this.actions = new ActionRunner([...this.filters.values()], c.concurrency, components, {
      timeoutMs: c.limits.actionTimeout
    })
    this.trust = createTrustPolicy({ config: c.trust }, components)
  }

  async start (): Promise<void> {
    const c = this.config
    this.startedAt = this.clock.now()
    const log = this.log
    if (c.feed !== null) {
      const { PromMetrics } = await import('./control/metrics.ts')
      // the stages hold this components object: they see the metrics from here on
      this.metrics = this.components.metrics = new PromMetrics()
    }
    await this.runCommands('start', c.start, true)
    await this.store.start()
    await this.trust.start()
    this.refreshOwnAddresses()

    const backend = await resolveBackend(c.firewall.backend, log)
    this.firewall = createFirewall(
      { ...c.firewall, backend, netns: this.netns },
      { logger: log, clock: this.clock, metrics: this.metrics }
    )
    this.firewallSink = new FirewallSink(this.firewall, log, () => this.config)
    this.engine.subscribe(this.firewallSink)
    this.engine.subscribe(this.actions)

    const live = await this.engine.start()
    // each ban in its filter's ban scope (ports:/protocol:), decided by the sink
    const kernelBans = this.firewallSink.withScopes(
      live.filter(b => b.firewall && b.ip !== undefined).map(b => ({ subject: b.ip!, until: b.until })), live)
    await this.firewall.start(kernelBans, this.engine.kernelAllow())
    log.info({ backend, restored: kernelBans.length, bans: live.length }, 'firewall ready')
    await this.actions.start()
    this.startReconcile()
    // a flush of the ruleset (`systemctl reload nftables`) is repaired at once, not at the next tick
    this.firewall.watch?.(what => {
      log.warn({ change: what }, 'firewall: the kernel table was changed by someone else; repairing now')
      this.metrics
        ?.counter('palisade_firewall_foreign_changes_total', 'changes to the kernel table made by another process')
        .inc()
      void this.reconcile
        ?.runOnce()
        .catch(err => log.error({ err }, 'firewall repair failed; the reconcile loop will retry'))
    })

    if (c.federation !== null) this.federation = await startFederation(this, () => this.refreshOwnAddresses())

    // the command table and zod load on the first request: an idle daemon never holds them
    this.control = new ControlServer(c.socket, async () => await controlVerbs(this), log)
    await this.control.start()
    await registerGauges(this)
    if (c.feed !== null) this.feed = await startFeed(this)

    await this.drainOutbox()
    this.detector = createDetector(
      {
        streams: Object.values(c.streams),
        patterns: c.patterns,
        limits: c.limits,
        onTrigger: t => this.onTrigger(t),
        onTriggers: ts => this.onTriggers(ts)
      },
      { logger: log, clock: this.clock, store: this.store, metrics: this.metrics, virtual: this.virtual }
    )
    await this.detector.start()
    // the streams' regexes are checked: the analyser's modules can go, with the rest of start-up
    releaseAnalyser()
    collectGarbage()
    this.started = true
    log.info(
      { streams: Object.keys(c.streams), socket: c.socket, federation: this.federation?.peerId ?? null },
      'palisade started'
    )
  }

  async stop (): Promise<void> {
    this.stopping = true
    const log = this.log
    const step = async (what: string, fn: () => Promise<void> | void): Promise<void> => {
      try {
        await fn()
      } catch (err) {
        log.error({ err }, `stop: ${what} failed`)
      }
    }
    this.ownTimer?.cancel()
    if (this.detector !== undefined) await step('streams', () => this.detector.stop())
    if (this.federation !== undefined) await step('federation', () => this.federation!.stop())
    this.reconcile?.stop()
    await step('actions', () => this.actions.stop())
    await step('decisions', () => this.engine.stop())
    if (this.firewallSink !== undefined) await step('firewall sync', () => this.firewallSink.settled())
    if (this.firewall !== undefined) await step('firewall', () => this.firewall.stop())
    await step('trust', () => this.trust.stop())
    await step('store', () => this.store.stop())
    await step('stop commands', () => this.runCommands('stop', this.config.stop, false))
    await step('control socket', async () => {
      await this.control?.stop()
    })
    await step('feed', async () => {
      await this.feed?.stop()
    })
    if (this.started) log.info('palisade stopped')
  }

  /** (Re)start the drift repair loop at the configured interval. */
  startReconcile (): void {
    this.reconcile?.stop()
    this.reconcile = startReconcileLoop({
      firewall: this.firewall,
      expected: () => this.firewallSink.withScopes(this.engine.kernelBans(), this.engine.bans()),
      allow: () => this.engine.kernelAllow(),
      intervalMs: this.config.firewall.reconcileInterval,
      clock: this.clock,
      logger: this.log,
      metrics: this.metrics
    })
  }

  /**
   * Read the configuration again and apply what changed (src/daemon-reload.ts). Serialised: a
   * second reload waits for the first. An invalid configuration changes nothing and rejects
   * with every located error.
   */
  reload (): Promise<ReloadResult> {
    const run = this.reloading.then(() => reloadDaemon(this)).finally(() => {
      releaseAnalyser()
      collectGarbage()
    })
    this.reloading = run.catch(() => {})
    return run
  }

  /** A trigger from the detector becomes this node's vote. */
  async onTrigger (t: Trigger): Promise<void> {
    await this.onTriggers([t])
  }

  /**
   * A batch of triggers becomes one batch of votes: one store write for the whole burst, which
   * also deletes the triggers' outbox entries (written with the checkpoint of their lines).
   */
  async onTriggers (ts: readonly Trigger[]): Promise<void> {
    const votes: Vote[] = []
    const done: string[] = []
    const ignored = new Set<string>()
    for (const t of ts) {
      if (t.outbox !== undefined) done.push(t.outbox)
      const f = t.filter
      if (f.duplicate === 'ignore') {
        if (this.engine.get(t.match.key) !== undefined || ignored.has(t.match.key)) continue
        ignored.add(t.match.key)
      }
      votes.push(localVote(f, t.match, t.count, this.config.trust.localWeight, this.clock.now()))
    }
    await this.engine.voteMany(votes, done)
  }

  /** Triggers stored by a run that was killed before their decisions were: decided now, before any stream runs. */
  private async drainOutbox (): Promise<void> {
    const entries = await readOutbox(this.store)
    if (entries.length === 0) return
    const now = this.clock.now()
    for (let i = 0; i < entries.length; i += OUTBOX_CHUNK) {
      const ts: Trigger[] = []
      const stale: string[] = []
      for (const [key, r] of entries.slice(i, i + OUTBOX_CHUNK)) {
        const filter = this.filters.get(r.filter)
        if (filter === undefined) {
          stale.push(key)
          continue
        }
        ts.push({
          filter,
          count: r.count,
          outbox: key,
          match: { filter: r.filter, key: r.key, ip: r.ip, values: r.values, time: Math.min(r.time, now) }
        })
      }
      if (stale.length > 0) await this.engine.voteMany([], stale)
      await this.onTriggers(ts)
    }
    this.log.info({ triggers: entries.length }, 'triggers left by the previous run decided')
  }

  filter (id: string): FilterConfig | undefined {
    return this.filters.get(id)
  }

  /**
   * This host's addresses and its trusted peers' are never banned (a member must not be cut off
   * by a report, nor cut itself off); re-read them (DHCP, new interfaces, peers connecting) and
   * keep the kernel allow sets in step.
   */
  private refreshOwnAddresses (): void {
    this.ownTimer?.cancel()
    const own: string[] = []
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) own.push(a.address)
    // every address a trusted member is known by, connected or not (an offline member must be able to come back)
    const peerAddrs = [...(this.config.federation?.bootstrap ?? []), ...(this.federation?.memberAddresses() ?? [])]
    for (const ma of peerAddrs) {
      const m = /^\/ip[46]\/([^/]+)\//.exec(ma)
      if (m !== null) own.push(m[1])
    }
    const before = this.engine.kernelAllow().join(' ')
    this.engine.setOwnAddresses(own)
    const after = this.engine.kernelAllow()
    if (this.firewall !== undefined && after.join(' ') !== before) {
      this.firewall.setAllow(after).catch(err => this.log.warn({ err }, 'firewall: updating the allow sets failed'))
    }
    this.ownTimer = this.clock.setTimeout(() => this.refreshOwnAddresses(), OWN_ADDRESS_REFRESH)
  }

  private async runCommands (what: 'start' | 'stop', cmds: readonly string[][], fatal: boolean): Promise<void> {
    for (const argv of cmds) {
      let failure: string | undefined
      try {
        const r = await runArgv(argv, { timeoutMs: 60_000 })
        if (r.code !== 0) failure = describeFailure(r)
      } catch (err) {
        failure = (err as Error).message
      }
      if (failure === undefined) continue
      if (fatal) {
        throw palisadeError(
          ErrorCodes.START_COMMAND_FAILED,
          `${what} command ${JSON.stringify(argv)} failed: ${failure}`
        )
      }
      this.log.warn({ argv }, `${what} command failed: ${failure}`)
    }
  }
}

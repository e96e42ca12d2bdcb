import type { Logger } from '../common/logger.ts'
import type { Clock } from '../common/clock.ts'
import type { Hook } from '../config/types.ts'
import type { Firewall, FirewallBan, FirewallComponents, FirewallInit } from './types.ts'
import { Serial } from './batcher.ts'
import { ChangeQueue } from './changes.ts'
import { isMissing, runTool } from './exec.ts'
import { checkHooks, checkTableName, parseOrThrow, timedBans, type FirewallOp } from './ops.ts'
import { distinctScopes, type ScopeRef } from './scope.ts'
import type { BanScope } from '../config/types.ts'
import { changeScript, fullTableScript, setAllowScript } from './nft-script.ts'
import { nftTableIntact, parseNftBans } from './nft-list.ts'
import { firewallMetrics, type FirewallMetrics } from './metrics.ts'
import { NftMonitor } from './nft-monitor.ts'

/** The default backend: table `inet <table>` driven by `nft -f -` transactions. */
export class NftablesFirewall implements Firewall {
  readonly name = 'nftables'
  private readonly table: string
  private hooks: readonly Hook[]
  private keepOnStop: boolean
  private readonly netns: string | undefined
  private readonly clock: Clock
  private readonly log: Logger
  private readonly metrics: FirewallMetrics
  private readonly serial = new Serial()
  private readonly changes: ChangeQueue
  private monitor: NftMonitor | undefined
  /** the scopes whose sets and rules the table holds now (src/firewall/scope.ts) */
  private scopes: ScopeRef[] = []

  constructor (init: FirewallInit, components: FirewallComponents) {
    this.table = checkTableName(init.table)
    this.hooks = checkHooks(init.hooks)
    this.keepOnStop = init.keepOnStop
    this.netns = init.netns
    this.clock = components.clock
    this.log = components.logger.child({ component: 'firewall', backend: 'nftables', table: this.table })
    this.metrics = firewallMetrics(components.metrics)
    this.changes = new ChangeQueue(this.serial, this.metrics, async ops => { await this.apply(ops) })
  }

  /** one transaction; a scope seen for the first time gets its sets and rules in it */
  private async apply (ops: readonly FirewallOp[]): Promise<void> {
    const known = new Set(this.scopes.map(r => r.key))
    const added = distinctScopes(ops.flatMap(o => o.kind === 'ban' && !known.has(o.scope.key) ? [o.scope] : []))
    // an element of a scope the table never had is not there to remove
    const live = ops.filter(o => o.kind === 'ban' || o.scope === null || o.scope.key === '' || known.has(o.scope.key))
    if (live.length === 0) return
    const script = changeScript(this.table, live, this.clock.now(), { known: this.scopes, added, hooks: this.hooks })
    await this.nft(['-f', '-'], script)
    if (added.length > 0) {
      this.scopes = [...this.scopes, ...added]
      this.log.info({ scopes: added.map(r => r.key) }, 'nftables: sets and rules added for a new ban scope')
    }
  }

  private async nft (args: string[], stdin?: string): Promise<string> {
    const t0 = performance.now()
    try {
      return (await runTool('nft', args, { netns: this.netns, stdin, onSpawn: pid => this.monitor?.ours(pid) })).stdout
    } finally {
      this.metrics.duration.observe((performance.now() - t0) / 1000)
    }
  }

  private async tableExists (): Promise<boolean> {
    const out = await this.nft(['-j', 'list', 'tables'])
    const doc = JSON.parse(out) as { nftables?: Array<{ table?: { family: string; name: string } }> }
    return (doc.nftables ?? []).some(i => i.table?.family === 'inet' && i.table.name === this.table)
  }

  async start (bans: readonly FirewallBan[], allow: readonly string[]): Promise<void> {
    const parsedBans = timedBans(bans)
    const parsedAllow = allow.map(parseOrThrow)
    const scopes = distinctScopes(parsedBans.map(b => b.scope))
    await this.serial.run(async () => {
      const adopted = await this.tableExists()
      const t0 = performance.now()
      const now = this.clock.now()
      await this.nft(['-f', '-'], fullTableScript(this.table, this.hooks, parsedBans, parsedAllow, now, scopes))
      this.scopes = scopes
      this.log.info(
        {
          bans: parsedBans.length,
          allow: parsedAllow.length,
          scopes: scopes.length,
          adopted,
          ms: Math.round(performance.now() - t0)
        },
        adopted ? 'nftables table adopted from a previous run and rebuilt in one transaction' : 'nftables table created'
      )
    })
  }

  async reconfigure (
    opts: { hooks: readonly Hook[]; keepOnStop: boolean },
    state: () => { bans: readonly FirewallBan[]; allow: readonly string[] }
  ): Promise<void> {
    const hooks = checkHooks(opts.hooks)
    this.keepOnStop = opts.keepOnStop
    if (hooks.join(' ') === this.hooks.join(' ')) return
    // behind the change queue: a ban in flight lands in the old table first and is in `state` too
    await this.changes.idle()
    await this.serial.run(async () => {
      const { bans, allow } = state()
      const parsedBans = timedBans(bans)
      const parsedAllow = allow.map(parseOrThrow)
      const scopes = distinctScopes(parsedBans.map(b => b.scope))
      await this.nft(['-f', '-'], fullTableScript(this.table, hooks, parsedBans, parsedAllow, this.clock.now(), scopes))
      this.scopes = scopes
      this.hooks = hooks
      this.log.info(
        { hooks, bans: parsedBans.length },
        'nftables table rebuilt with the reloaded hooks in one transaction'
      )
    })
  }

  watch (onDrift: (what: string) => void): void {
    this.monitor?.stop()
    this.monitor = new NftMonitor({
      table: this.table,
      netns: this.netns,
      clock: this.clock,
      logger: this.log,
      onForeign: onDrift
    })
    this.monitor.start()
  }

  ban (bans: readonly FirewallBan[]): Promise<void> {
    return this.changes.ban(bans)
  }

  unban (subjects: readonly string[], only?: { scope?: BanScope }): Promise<void> {
    return this.changes.unban(subjects, only)
  }

  async setAllow (cidrs: readonly string[]): Promise<void> {
    const parsed = cidrs.map(parseOrThrow)
    await this.serial.run(async () => {
      await this.nft(['-f', '-'], setAllowScript(this.table, parsed))
    })
  }

  async list (): Promise<FirewallBan[] | null> {
    try {
      const out = await this.nft(['-j', 'list', 'table', 'inet', this.table])
      if (!nftTableIntact(out, this.hooks, this.scopes)) {
        this.log.warn('nftables table damaged (set, chain or rules missing): reporting it as gone so it is rebuilt')
        return null
      }
      return parseNftBans(out, this.clock.now(), this.scopes)
    } catch (err) {
      if (isMissing(err)) return null
      throw err
    }
  }

  async stop (): Promise<void> {
    this.monitor?.stop()
    this.monitor = undefined
    await this.changes.idle()
    if (this.keepOnStop) {
      this.log.info('nftables table kept on stop (keepOnStop): bans stay enforced until they expire')
      return
    }
    await this.serial.run(async () => {
      try {
        await this.nft(['delete', 'table', 'inet', this.table])
      } catch (err) {
        if (!isMissing(err)) throw err
      }
    })
  }
}

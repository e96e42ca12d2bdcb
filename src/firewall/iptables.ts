import type { Logger } from '../common/logger.ts'
import type { Clock } from '../common/clock.ts'
import type { Hook } from '../config/types.ts'
import type { Firewall, FirewallBan, FirewallComponents, FirewallInit } from './types.ts'
import { Serial } from './batcher.ts'
import { ChangeQueue } from './changes.ts'
import { isMissing, runTool } from './exec.ts'
import { checkHooks, checkTableName, parseOrThrow, timedBans, type FirewallOp } from './ops.ts'
import {
  ipsetAllowScript,
  ipsetChangeScript,
  ipsetCreateScopes,
  ipsetNames,
  ipsetStartScript,
  parseIpsetSave,
  scopedSet,
  type IpsetNames
} from './ipset-script.ts'
import { distinctScopes, portTexts, type ScopeRef } from './scope.ts'
import type { BanScope } from '../config/types.ts'
import { firewallMetrics, type FirewallMetrics } from './metrics.ts'

/**
 * iptables + ipset backend, for hosts that still run legacy iptables rule sets. Elements live in
 * ipsets (changed in batches through `ipset -exist restore`); one chain per family holds
 * `allow → ACCEPT` then `ban → DROP`, reached by one jump rule at the top of each hook. A scope's
 * set is matched per protocol with multiport (`-p tcp -m multiport --dports 22,8000:8100`).
 */
/** multiport takes at most 15 ports per rule, a range counting as two */
const MULTIPORT_SLOTS = 15

function multiportChunks (scope: BanScope): string[] {
  const chunks: string[] = []
  let cur: string[] = []
  let used = 0
  for (const p of portTexts(scope, ':')) {
    const cost = p.includes(':') ? 2 : 1
    if (used + cost > MULTIPORT_SLOTS) { chunks.push(cur.join(',')); cur = []; used = 0 }
    cur.push(p)
    used += cost
  }
  if (cur.length > 0) chunks.push(cur.join(','))
  return chunks
}

/** the DROP rules of one scope's set in a family's chain */
export function scopeRules (chain: string, set: string, scope: BanScope): string[] {
  const chunks = scope.ports.length === 0 ? [null] : multiportChunks(scope)
  return scope.protocols.flatMap(p => chunks.map(c =>
    `-A ${chain} -p ${p}${c === null ? '' : ` -m multiport --dports ${c}`} -m set --match-set ${set} src -j DROP`))
}
const FAMILIES = [
  { iptables: 'iptables', restore: 'iptables-restore', fam: 4 },
  { iptables: 'ip6tables', restore: 'ip6tables-restore', fam: 6 }
] as const

export class IptablesFirewall implements Firewall {
  readonly name = 'iptables'
  private readonly chain: string
  private readonly sets: IpsetNames
  private readonly hooks: readonly Hook[]
  private readonly keepOnStop: boolean
  private readonly netns: string | undefined
  private readonly clock: Clock
  private readonly log: Logger
  private readonly metrics: FirewallMetrics
  private readonly serial = new Serial()
  private readonly changes: ChangeQueue
  /** the scopes whose sets and rules exist now */
  private scopes: ScopeRef[] = []

  constructor (init: FirewallInit, components: FirewallComponents) {
    const table = checkTableName(init.table)
    this.chain = table.toUpperCase()
    this.sets = ipsetNames(table)
    this.hooks = checkHooks(init.hooks)
    this.keepOnStop = init.keepOnStop
    this.netns = init.netns
    this.clock = components.clock
    this.log = components.logger.child({ component: 'firewall', backend: 'iptables', table })
    this.metrics = firewallMetrics(components.metrics)
    this.changes = new ChangeQueue(this.serial, this.metrics, async ops => { await this.apply(ops) })
  }

  private async apply (ops: readonly FirewallOp[]): Promise<void> {
    const known = new Set(this.scopes.map(r => r.key))
    const added = distinctScopes(ops.flatMap(o => o.kind === 'ban' && !known.has(o.scope.key) ? [o.scope] : []))
    const live = ops.filter(o => o.kind === 'ban' || o.scope === null || o.scope.key === '' || known.has(o.scope.key))
    if (live.length === 0) return
    if (added.length > 0) {
      // sets first, then the chains rewritten with their rules: each step is one atomic restore
      await this.run('ipset', ['-exist', 'restore'], ipsetCreateScopes(this.sets, added))
      const scopes = [...this.scopes, ...added]
      for (const f of FAMILIES) await this.run(f.restore, ['-w', '--noflush'], this.chainRules(f.fam, scopes))
      this.scopes = scopes
      this.log.info({ scopes: added.map(r => r.key) }, 'iptables: ipsets and rules added for a new ban scope')
    }
    await this.run('ipset', ['-exist', 'restore'], ipsetChangeScript(this.sets, live, this.clock.now(), this.scopes))
  }

  private async run (tool: string, args: string[], stdin?: string): Promise<string> {
    const t0 = performance.now()
    try {
      return (await runTool(tool, args, { netns: this.netns, stdin })).stdout
    } finally {
      this.metrics.duration.observe((performance.now() - t0) / 1000)
    }
  }

  private async succeeds (tool: string, args: string[]): Promise<boolean> {
    try {
      await this.run(tool, args)
      return true
    } catch (err) {
      if (isMissing(err)) return false
      throw err
    }
  }

  private chainRules (fam: 4 | 6, scopes: readonly ScopeRef[]): string {
    const allow = fam === 4 ? this.sets.allow4 : this.sets.allow6
    const ban = fam === 4 ? this.sets.ban4 : this.sets.ban6
    // declaring the chain in a --noflush restore replaces its rules in one commit
    return ['*filter', `:${this.chain} - [0:0]`,
      `-A ${this.chain} -m set --match-set ${allow} src -j ACCEPT`,
      `-A ${this.chain} -m set --match-set ${ban} src -j DROP`,
      ...scopes.flatMap(r => r.scope === undefined
        ? []
        : scopeRules(this.chain, scopedSet(this.sets, fam, r), r.scope)),
      'COMMIT', ''].join('\n')
  }

  async start (bans: readonly FirewallBan[], allow: readonly string[]): Promise<void> {
    const parsedBans = timedBans(bans)
    const parsedAllow = allow.map(parseOrThrow)
    const scopes = distinctScopes(parsedBans.map(b => b.scope))
    await this.serial.run(async () => {
      const t0 = performance.now()
      await this.run(
        'ipset',
        ['-exist', 'restore'],
        ipsetStartScript(this.sets, parsedBans, parsedAllow, this.clock.now(), scopes)
      )
      let adopted = false
      for (const f of FAMILIES) {
        await this.run(f.restore, ['-w', '--noflush'], this.chainRules(f.fam, scopes))
        for (const hook of this.hooks) {
          const jump = [hook.toUpperCase(), '-j', this.chain]
          if (await this.succeeds(f.iptables, ['-w', '-C', ...jump])) adopted = true
          else await this.run(f.iptables, ['-w', '-I', jump[0], '1', ...jump.slice(1)])
        }
      }
      // scoped sets of an earlier run that no ban uses now: the rewritten chains no longer name them
      const stale = this.scopes.filter(r => !scopes.some(s => s.key === r.key))
      for (const r of stale) for (const fam of [4, 6] as const) await this.succeeds('ipset', ['destroy', scopedSet(this.sets, fam, r)])
      this.scopes = scopes
      this.log.info(
        {
          bans: parsedBans.length,
          allow: parsedAllow.length,
          scopes: scopes.length,
          adopted,
          ms: Math.round(performance.now() - t0)
        },
        adopted
          ? 'iptables chains and ipsets adopted from a previous run and refilled'
          : 'iptables chains and ipsets created'
      )
    })
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
      await this.run('ipset', ['-exist', 'restore'], ipsetAllowScript(this.sets, parsed))
    })
  }

  async list (): Promise<FirewallBan[] | null> {
    const out = await this.run('ipset', ['save'])
    const bans = parseIpsetSave(out, this.sets, this.clock.now(), this.scopes)
    if (bans === null) return null
    // sets without the chains enforce nothing: report the table as gone so reconcile rebuilds it
    for (const f of FAMILIES) {
      if (!await this.succeeds(f.iptables, ['-w', '-C', this.hooks[0].toUpperCase(), '-j', this.chain])) return null
    }
    return bans
  }

  async stop (): Promise<void> {
    await this.changes.idle()
    if (this.keepOnStop) {
      this.log.info('iptables chains and ipsets kept on stop (keepOnStop)')
      return
    }
    await this.serial.run(async () => {
      for (const f of FAMILIES) {
        for (const hook of this.hooks) {
          for (
            let i = 0;
            i < 8 && (await this.succeeds(f.iptables, ['-w', '-C', hook.toUpperCase(), '-j', this.chain]));
            i++
          ) {
            await this.run(f.iptables, ['-w', '-D', hook.toUpperCase(), '-j', this.chain])
          }
        }
        if (await this.succeeds(f.iptables, ['-w', '-F', this.chain])) await this.run(f.iptables, ['-w', '-X', this.chain])
      }
      for (const name of Object.values(this.sets)) await this.succeeds('ipset', ['destroy', name])
      for (const r of this.scopes) for (const fam of [4, 6] as const) await this.succeeds('ipset', ['destroy', scopedSet(this.sets, fam, r)])
    })
  }
}

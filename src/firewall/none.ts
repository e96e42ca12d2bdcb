import type { Logger } from '../common/logger.ts'
import type { Clock } from '../common/clock.ts'
import type { Firewall, FirewallBan, FirewallComponents, FirewallInit } from './types.ts'
import { BanView } from './memory.ts'
import { banOps, parseOrThrow, unbanOps } from './ops.ts'
import type { BanScope } from '../config/types.ts'

/**
 * Detect-and-share only: decisions are made, stored, published and exported in the feed, but no
 * packet is dropped on this host. `list` returns the in-memory view so reconcile finds no drift.
 */
export class NoneFirewall implements Firewall {
  readonly name = 'none'
  private readonly view = new BanView()
  private readonly clock: Clock
  private readonly log: Logger

  constructor (_init: FirewallInit, components: FirewallComponents) {
    this.clock = components.clock
    this.log = components.logger.child({ component: 'firewall', backend: 'none' })
  }

  async start (bans: readonly FirewallBan[], allow: readonly string[]): Promise<void> {
    allow.forEach(parseOrThrow)
    const ops = banOps(bans)
    this.view.clear()
    for (const o of ops) if (o.kind === 'ban') this.view.set(o.subject.text, o.until, o.scope)
    this.log.warn({ bans: ops.length }, 'firewall backend "none": bans are recorded and shared but NOT enforced on this host')
  }

  async ban (bans: readonly FirewallBan[]): Promise<void> {
    for (const o of banOps(bans)) if (o.kind === 'ban') this.view.set(o.subject.text, o.until, o.scope)
  }

  async unban (subjects: readonly string[], only?: { scope?: BanScope }): Promise<void> {
    for (const o of unbanOps(subjects, only)) if (o.kind === 'unban') this.view.delete(o.subject.text, o.scope ?? undefined)
  }

  async setAllow (cidrs: readonly string[]): Promise<void> {
    cidrs.forEach(parseOrThrow)
  }

  async list (): Promise<FirewallBan[] | null> {
    return this.view.list(this.clock.now())
  }

  async stop (): Promise<void> {
    this.view.clear()
  }
}

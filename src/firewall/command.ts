import type { Logger } from '../common/logger.ts'
import type { Clock } from '../common/clock.ts'
import { ErrorCodes, palisadeError } from '../common/errors.ts'
import type { Firewall, FirewallBan, FirewallComponents, FirewallInit } from './types.ts'
import { runTool } from './exec.ts'
import { BanView, mapLimit } from './memory.ts'
import { banOps, parseOrThrow, timeoutSeconds, unbanOps, type FirewallOp } from './ops.ts'
import { scopeWords, type ScopeRef } from './scope.ts'
import type { BanScope } from '../config/types.ts'

/**
 * reaction-style backend: `firewall.command.ban` / `.unban` argv run once per element, with
 * `<ip>`, `<timeout>` (seconds), `<ports>` (`22,8000-8100`, or `all`) and `<protocol>` (`tcp`,
 * `tcp,udp`, or `all`) substituted inside each argument; a subject banned in two scopes is two
 * elements, and an unban runs once per scope it was banned in. No shell is involved and the
 * substituted subject has been re-validated by parseSubject, so a log line cannot inject an
 * argument. The target (a remote firewall, an API) cannot be read back: `list` is what this
 * process has applied.
 */
const CONCURRENCY = 8

export class CommandFirewall implements Firewall {
  readonly name = 'command'
  private readonly banCmd: readonly string[]
  private readonly unbanCmd: readonly string[]
  private readonly keepOnStop: boolean
  private readonly view = new BanView()
  /** per-subject chain: a ban and a later unban of one subject never run out of order */
  private readonly inflight = new Map<string, Promise<void>>()
  private readonly slots: Array<() => void> = []
  private running = 0
  private readonly clock: Clock
  private readonly log: Logger

  constructor (init: FirewallInit, components: FirewallComponents) {
    if (init.command.ban.length === 0 || init.command.unban.length === 0) {
      throw palisadeError(ErrorCodes.CONFIG_INVALID, 'firewall.command: backend "command" needs both ban and unban argv')
    }
    this.banCmd = init.command.ban
    this.unbanCmd = init.command.unban
    this.keepOnStop = init.keepOnStop
    this.clock = components.clock
    this.log = components.logger.child({ component: 'firewall', backend: 'command' })
  }

  private async slot<T> (fn: () => Promise<T>): Promise<T> {
    if (this.running >= CONCURRENCY) await new Promise<void>(resolve => this.slots.push(resolve))
    this.running++
    try {
      return await fn()
    } finally {
      this.running--
      this.slots.shift()?.()
    }
  }

  private exec (op: FirewallOp, scope: ScopeRef): Promise<void> {
    const timeout = op.kind === 'ban' ? String(timeoutSeconds(op.until, this.clock.now())) : '0'
    const words = scopeWords(scope.scope)
    const argv = (op.kind === 'ban' ? this.banCmd : this.unbanCmd)
      .map(a => a.replaceAll('<ip>', op.subject.text).replaceAll('<timeout>', timeout)
        .replaceAll('<ports>', words.ports).replaceAll('<protocol>', words.protocol))
    return this.slot(async () => { await runTool(argv[0], argv.slice(1)) })
  }

  private apply (op: FirewallOp): Promise<void> {
    const key = op.subject.text
    const prev = this.inflight.get(key) ?? Promise.resolve()
    const run = prev.catch(() => {}).then(async () => {
      if (op.kind === 'ban') {
        await this.exec(op, op.scope)
        this.view.set(key, op.until, op.scope)
        return
      }
      for (const scope of this.view.scopes(key, op.scope ?? undefined)) {
        await this.exec(op, scope)
        this.view.delete(key, scope)
      }
    })
    // the caller gets `run`'s rejection; the chain itself must never reject unobserved
    const tracked: Promise<void> = run
      .catch(() => {})
      .finally(() => {
        if (this.inflight.get(key) === tracked) this.inflight.delete(key)
      })
    this.inflight.set(key, tracked)
    return run
  }

  private async applyAll (ops: FirewallOp[], what: string): Promise<void> {
    const errors = await mapLimit(ops, ops.length, op => this.apply(op))
    if (errors.length === 0) return
    this.log.error({ err: errors[0], failed: errors.length, total: ops.length }, `firewall command: ${what} failed`)
    const first = errors[0] as Error & { code?: string }
    throw palisadeError(
      first.code === ErrorCodes.FW_UNAVAILABLE ? ErrorCodes.FW_UNAVAILABLE : ErrorCodes.FW_COMMAND_FAILED,
      `firewall command: ${errors.length} of ${ops.length} ${what} commands failed: ${first.message}`,
      first
    )
  }

  async start (bans: readonly FirewallBan[], allow: readonly string[]): Promise<void> {
    allow.forEach(parseOrThrow)
    const now = this.clock.now()
    const ops = banOps(bans).filter(o => o.kind === 'ban' && o.until > now)
    await this.applyAll(ops, 'ban')
    this.log.info({ bans: ops.length }, 'firewall command: restored bans applied')
  }

  async ban (bans: readonly FirewallBan[]): Promise<void> {
    await this.applyAll(banOps(bans), 'ban')
  }

  async unban (subjects: readonly string[], only?: { scope?: BanScope }): Promise<void> {
    await this.applyAll(unbanOps(subjects, only), 'unban')
  }

  /** the allowlist is enforced by the decision engine; a command target has no allow set */
  async setAllow (cidrs: readonly string[]): Promise<void> {
    cidrs.forEach(parseOrThrow)
  }

  async list (): Promise<FirewallBan[] | null> {
    return this.view.list(this.clock.now())
  }

  async stop (): Promise<void> {
    await Promise.allSettled([...this.inflight.values()])
    if (this.keepOnStop) return
    const live = this.view.list(this.clock.now())
    await this.applyAll(unbanOps([...new Set(live.map(b => b.subject))]), 'unban')
  }
}

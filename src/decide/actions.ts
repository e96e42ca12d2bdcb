import { randomUUID } from 'node:crypto'
import type { Clock, Timer } from '../common/clock.ts'
import type { Logger } from '../common/logger.ts'
import type { Decision } from '../common/model.ts'
import { familyOf } from '../common/ip.ts'
import { describeFailure, runArgv } from '../common/run.ts'
import type { ActionConfig, FilterConfig } from '../config/types.ts'
import type { Metrics } from '../control/metrics-types.ts'
import type { Store, StoreBatch } from '../store/index.ts'
import type { DecisionSink } from './index.ts'
import { substitute } from './substitute.ts'
import { Limiter } from './limiter.ts'
import type { VirtualBus } from '../detect/virtual-source.ts'

/**
 * reaction-style actions: when a filter's vote becomes a ban, its actions run — those without
 * `after` at once, the others when their delay is over. Each trigger is stored (area `pending`)
 * in the same batch as the ban, with every action's due time and whether it ran, so that after a
 * restart (or kill -9): due actions run now, future ones are scheduled, and the immediate ones
 * are replayed (reaction's start commands rebuild an empty chain) unless `oneshot`, not
 * applicable to the address's family, or already followed by a later step (an unban that ran
 * must not be undone by replaying the ban).
 *
 * Guarantees across a kill: a step is marked done in its own write after its command exits, so
 * an ordinary step runs at least once (a kill in between runs it again). A `oneshot` step has its
 * intent (`started`) stored before it runs and is never started twice: at most once, exactly
 * once unless the kill falls between the intent and the command.
 *
 * Actions never hold up a decision: `apply` starts them and returns, so a slow or hung command
 * delays no ban of any stream; at most `concurrency` run at once, each killed after its timeout.
 */
interface Step { action: string, due: number, done: boolean, started?: boolean }

interface TriggerRecord {
  id: string
  filter: string
  key: string
  values: Record<string, string>
  ip?: string
  at: number
  steps: Step[]
}

export interface ActionRunnerComponents {
  store: Store
  clock: Clock
  logger: Logger
  metrics?: Metrics
  /** where reaction's virtual actions write their line (the daemon's virtual streams) */
  virtual?: VirtualBus
}

export interface ActionRunnerOptions {
  /** kill an action still running after this long, ms */
  timeoutMs?: number
}

/** default for ActionRunnerOptions.timeoutMs */
export const ACTION_TIMEOUT = 60_000

export class ActionRunner implements DecisionSink {
  readonly name = 'actions'
  private readonly filters: Map<string, FilterConfig>
  private readonly c: ActionRunnerComponents
  private readonly log: Logger
  private readonly limiter: Limiter
  private readonly live = new Map<string, TriggerRecord>()
  /** the same records by key: a burst of 5,000 bans must not scan every live record per ban */
  private readonly liveByKey = new Map<string, Set<TriggerRecord>>()
  private readonly timers = new Map<string, Timer>()
  /** records created by prepare(), run by apply() */
  private readonly staged = new Map<Decision, TriggerRecord[]>()
  private stopping = false
  private readonly timeoutMs: number
  /** runs started by apply() and timers, for idle() */
  private readonly running = new Set<Promise<void>>()

  constructor (
    filters: readonly FilterConfig[],
    concurrency: number,
    components: ActionRunnerComponents,
    opts: ActionRunnerOptions = {}
  ) {
    this.filters = new Map(filters.map(f => [f.id, f]))
    this.c = components
    this.log = components.logger.child({ component: 'actions' })
    this.limiter = new Limiter(concurrency)
    this.timeoutMs = opts.timeoutMs ?? ACTION_TIMEOUT
  }

  /**
   * A reload's filters: new triggers use their new actions. A removed filter's definition is
   * kept, so the actions its past triggers still wait for run as they were promised.
   */
  setFilters (filters: readonly FilterConfig[]): void {
    for (const f of filters) this.filters.set(f.id, f)
  }

  /**
   * Load stored triggers: replay immediate actions (not oneshot), run due ones, schedule the rest; idle()
   * waits for the runs.
   */
  async start (): Promise<void> {
    const now = this.c.clock.now()
    const toRun: Array<[TriggerRecord, number]> = []
    const toReplay: Array<[TriggerRecord, number]> = []
    for await (const [, r] of this.c.store.entries<TriggerRecord>('pending')) {
      const filter = this.filters.get(r.filter)
      if (filter === undefined) {
        await this.c.store.del('pending', r.id)
        continue
      }
      this.addLive(r)
      // a later step that ran (the unban after the ban) ends the replay of the earlier ones
      const laterRan = r.steps.some(s => {
        const a = this.action(filter, s.action)
        return s.done && a !== undefined && a.after > 0 && applies(a, r.ip)
      })
      let changed = false
      r.steps.forEach((s, i) => {
        const a = this.action(filter, s.action)
        if (a === undefined) {
          s.done = true
          changed = true
          return
        }
        if (!s.done) {
          if (a.oneshot && s.started === true) {
            // started before the kill, maybe ran: oneshot means never twice
            this.log.warn(
              { action: a.id, key: r.ip ?? r.key },
              'oneshot action was interrupted by a restart: not run again'
            )
            s.done = true
            changed = true
          } else if (s.due <= now) toRun.push([r, i])
          else this.schedule(r, i)
        } else if (a.after === 0 && !a.oneshot && a.virtual === undefined && !laterRan && applies(a, r.ip)) {
          // a virtual action is never replayed: its line was counted once, a second would count twice
          toReplay.push([r, i])
        }
      })
      if (r.steps.every(s => s.done) && !toRun.some(([x]) => x === r)) await this.finish(r)
      else if (changed) await this.c.store.put('pending', r.id, r)
    }
    // not awaited: the daemon's start (and its streams) must not wait for a backlog of commands;
    // replays first, as an overdue unban must come after the ban it undoes, not race it
    this.track(
      (async () => {
        await Promise.all(toReplay.map(([r, i]) => this.runStep(r, i, false, true)))
        await Promise.all(toRun.map(([r, i]) => this.runStep(r, i)))
      })()
    )
  }

  /** resolves when every action started so far has finished */
  async idle (): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running])
    await this.limiter.idle()
  }

  /** Run pending `onexit` actions now; drop the timers of the others (they stay stored for the next start). */
  async stop (): Promise<void> {
    this.stopping = true
    for (const t of this.timers.values()) t.cancel()
    this.timers.clear()
    const runs: Array<Promise<void>> = []
    for (const r of this.live.values()) {
      const filter = this.filters.get(r.filter)
      r.steps.forEach((s, i) => {
        if (!s.done && filter !== undefined && this.action(filter, s.action)?.onexit === true) {
          runs.push(this.runStep(r, i, true))
        }
      })
    }
    await Promise.all(runs)
    await this.idle()
  }

  prepare (d: Decision, batch: StoreBatch): void {
    if (d.kind === 'unban') {
      // reaction's flush: an admin unban runs the pending after-actions now
      if (d.why === 'admin') {
        this.staged.set(
          d,
          [...this.liveOf(d.ban.key)]
        )
      }
      return
    }
    // only this node's detections run the filter's actions; remote and manual bans go to the firewall
    if (d.vote?.origin !== 'detect') return
    const filter = this.filters.get(d.vote.filter)
    if (filter === undefined || filter.actions.length === 0) return
    const now = this.c.clock.now()
    const mine = [...this.liveOf(d.ban.key)].filter(r => r.filter === filter.id)
    if (d.extended && mine.length > 0) {
      if (filter.duplicate === 'ignore') return
      if (filter.duplicate === 'extend') {
        for (const r of mine) {
          for (const s of r.steps) if (!s.done) s.due = now + (this.action(filter, s.action)?.after ?? 0)
          batch.put('pending', r.id, r)
        }
        this.staged.set(d, mine)
        return
      }
    }
    const r: TriggerRecord = {
      id: `${String(now).padStart(15, '0')}-${randomUUID()}`,
      filter: filter.id,
      key: d.ban.key,
      values: d.ban.values,
      ip: d.ban.ip,
      at: now,
      steps: filter.actions.map(a => ({ action: a.name, due: now + a.after, done: !applies(a, d.ban.ip) }))
    }
    batch.put('pending', r.id, r)
    this.staged.set(d, [r])
  }

  /** Start the decision's actions and return at once: the engine (and every other ban) never waits for a command. */
  apply (d: Decision): void {
    const records = this.staged.get(d)
    this.staged.delete(d)
    if (records === undefined) return
    const now = this.c.clock.now()
    for (const r of records) {
      this.addLive(r)
      r.steps.forEach((s, i) => {
        if (s.done) return
        if (d.kind === 'unban' || s.due <= now) this.track(this.runStep(r, i))
        else this.schedule(r, i)
      })
      if (r.steps.every(s => s.done)) this.track(this.finish(r))
    }
  }

  private track (p: Promise<void>): void {
    const t = p
      .catch(err => {
        this.log.error({ err }, 'action bookkeeping failed')
      })
      .finally(() => this.running.delete(t))
    this.running.add(t)
  }

  /** Triggers still holding pending actions, for `palisade show`. */
  pending (key?: string): Array<{ filter: string; key: string; action: string; due: number }> {
    const out = []
    for (const r of this.live.values()) {
      if (key !== undefined && r.key !== key) continue
      for (const s of r.steps) if (!s.done) out.push({ filter: r.filter, key: r.key, action: s.action, due: s.due })
    }
    return out
  }

  private action (filter: FilterConfig, name: string): ActionConfig | undefined {
    return filter.actions.find(a => a.name === name)
  }

  private schedule (r: TriggerRecord, i: number): void {
    const id = `${r.id}/${i}`
    this.timers.get(id)?.cancel()
    this.timers.set(
      id,
      this.c.clock.setTimeout(
        () => {
          this.timers.delete(id)
          const s = r.steps[i]
          // an `extend` may have moved the due time since this timer was armed
          if (s.done || this.stopping) return
          if (s.due > this.c.clock.now()) {
            this.schedule(r, i)
            return
          }
          this.track(this.runStep(r, i))
        },
        Math.max(0, r.steps[i].due - this.c.clock.now())
      )
    )
  }

  private async runStep (r: TriggerRecord, i: number, atExit = false, replay = false): Promise<void> {
    const filter = this.filters.get(r.filter)
    const a = filter === undefined ? undefined : this.action(filter, r.steps[i].action)
    const step = r.steps[i]
    if (step.done && !replay) return
    if (a?.virtual !== undefined) {
      // no process: the line goes to the virtual stream, which counts it like any log line
      const line = substitute([a.virtual.send], r.values)[0]
      if (this.c.virtual?.send(a.virtual.to, line) !== true) {
        this.log.warn({ action: a.id, stream: a.virtual.to }, 'virtual action: its stream is not running, line dropped')
      }
    } else if (a !== undefined) {
      const argv = substitute(a.cmd, r.values)
      const log = this.log.child({ action: a.id, key: r.ip ?? r.key })
      await this.limiter.run(async () => {
        if (a.oneshot && step.started !== true) {
          // the intent is durable once the command has its slot and before it starts: a kill while it
          // waits for a slot runs it at the next start, a kill from here on means "maybe ran", never twice
          step.started = true
          await this.c.store.put('pending', r.id, r).catch(err => {
            log.warn({ err }, "cannot store a oneshot action's intent: running it anyway")
          })
        }
        try {
          const t0 = performance.now()
          const res = await runArgv(argv, { timeoutMs: this.timeoutMs })
          if (res.signal === 'SIGKILL' && performance.now() - t0 >= this.timeoutMs) {
            this.c.metrics
              ?.counter('palisade_actions_timed_out_total', 'actions killed after limits.actionTimeout')
              .inc()
            log.error({ argv, timeoutMs: this.timeoutMs }, 'action still running after its timeout: killed')
          } else if (res.code !== 0) {
            this.c.metrics?.counter('palisade_actions_failed_total', 'actions that exited non-zero').inc()
            log.warn({ argv }, `action failed: ${describeFailure(res)}`)
          } else {
            log.info({ atExit }, 'action ran')
          }
        } catch (err) {
          this.c.metrics?.counter('palisade_actions_failed_total', 'actions that exited non-zero').inc()
          log.error({ err, argv }, 'action could not start')
        }
      })
      this.c.metrics?.counter('palisade_actions_run_total', 'actions run').inc()
    }
    step.done = true
    if (r.steps.every(s => s.done)) await this.finish(r)
    else await this.c.store.put('pending', r.id, r)
  }

  private addLive (r: TriggerRecord): void {
    const old = this.live.get(r.id)
    this.live.set(r.id, r)
    if (old === r) return // a record re-armed in place keeps its place, as in `live`
    if (old !== undefined) this.liveByKey.get(old.key)?.delete(old)
    let s = this.liveByKey.get(r.key)
    if (s === undefined) this.liveByKey.set(r.key, (s = new Set()))
    s.add(r)
  }

  private liveOf (key: string): Iterable<TriggerRecord> {
    return this.liveByKey.get(key) ?? []
  }

  private async finish (r: TriggerRecord): Promise<void> {
    const s = this.liveByKey.get(r.key)
    s?.delete(this.live.get(r.id) ?? r)
    if (s?.size === 0) this.liveByKey.delete(r.key)
    this.live.delete(r.id)
    await this.c.store.del('pending', r.id)
  }
}

function applies (a: ActionConfig, ip: string | undefined): boolean {
  if (ip === undefined) return !(a.ipv4only || a.ipv6only)
  const fam = familyOf(ip.split('/')[0])
  return !(a.ipv4only && fam !== 4) && !(a.ipv6only && fam !== 6)
}

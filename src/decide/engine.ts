import { SELF, type Ban, type Decision, type Vote } from '../common/model.ts'
import { ErrorCodes, palisadeError } from '../common/errors.ts'
import type { CidrSet } from '../common/ip.ts'
import { monotonicOf } from '../common/clock.ts'
import { clampDuration, MAX_DURATION_MS } from '../common/duration.ts'
import type { StoreBatch } from '../store/index.ts'
import type { DecideComponents, DecideInit, DecisionEngine, DecisionSink, KernelBan } from './index.ts'
import { Allowlist, type NeverBanSettings } from './allow.ts'
import { ExpiryQueue } from './expiry.ts'
import { isLive, tally, type TallyPolicy } from './tally.ts'
import { nextBanDuration, type Offence } from './escalation.ts'
import { pruneDecisions, putDecision, recentDecisions, type DecisionRecord } from './history.ts'
import { RemoteBudget } from './remote-budget.ts'
import { banContaining, countByOrigin, type BansByOrigin } from './lookup.ts'

export type { Offence, DecisionRecord }

export interface Explanation {
  key: string
  ban?: Ban
  protected: string | null
  votes: Vote[]
  offence?: Offence
  decisions: DecisionRecord[]
}

/** how often stale votes and forgotten offences are swept, ms */
const SWEEP_INTERVAL = 60_000
/** decision records older than this are deleted (they explain `show IP`, not more), ms */
const DECISION_HISTORY = 30 * 86_400_000
/** how often old decision records are pruned, ms */
const HISTORY_PRUNE_INTERVAL = 86_400_000
/** a batch with more decisions than this logs one line per filter, not one per decision */
const LOG_EACH_UP_TO = 50
/** a failing store (full disk) is logged at most this often, ms */
const STORE_FAILURE_LOG_INTERVAL = 60_000

/** A decision staged in a batch, waiting for the batch's write before its sinks run. */
interface Made { d: Decision, why: string }

export class Engine implements DecisionEngine {
  private readonly c: DecideComponents
  private readonly policy: TallyPolicy
  private init: DecideInit
  private readonly allow: Allowlist
  private readonly banMap = new Map<string, Ban>()
  /** monotonic reading at which each ban ends: its remaining time, immune to wall-clock steps */
  private readonly deadline = new Map<string, number>()
  private storeFailureLoggedAt = -Infinity
  /** keys whose ban (or its removal) a failed write did not store: re-written with the next batch that works */
  private readonly unstored = new Set<string>()
  private readonly votes = new Map<string, Map<string, Vote>>()
  private readonly offences = new Map<string, Offence>()
  private readonly sinks: DecisionSink[] = []
  private readonly expiry: ExpiryQueue
  private readonly log
  private remoteBans = 0
  private remote: RemoteBudget
  private sweepTimer: { cancel(): void } | undefined
  private pruneTimer: { cancel(): void } | undefined
  /** serialises decisions so that a vote and an unban for one key cannot interleave */
  private queue: Promise<unknown> = Promise.resolve()

  constructor (init: DecideInit, components: DecideComponents) {
    this.init = init
    this.c = components
    this.policy = { threshold: init.trust.threshold, quorum: init.trust.quorum, window: init.trust.window }
    this.allow = new Allowlist(init.allow, init.neverBan)
    this.log = components.logger.child({ component: 'decide' })
    this.expiry = new ExpiryQueue(components.clock, (key, until) => {
      void this.onDue(key, until)
    })
    this.remote = new RemoteBudget(
      init.trust.maxRemoteBans,
      init.trust.peers.filter(p => p.weight > 0 && !p.shadow).length
    )
  }

  /** this member's share of `trust.maxRemoteBans` and the bans refused to it (`peer list`) */
  remoteBudgetOf (author: string): ReturnType<RemoteBudget['statsOf']> {
    return this.remote.statsOf(author)
  }

  subscribe (sink: DecisionSink): void {
    this.sinks.push(sink)
  }

  async start (): Promise<Ban[]> {
    const now = this.c.clock.now()
    const batch = this.c.store.batch()
    for await (const [key, stored] of this.c.store.entries<Ban>('bans')) {
      if (stored.until <= now) {
        batch.del('bans', key)
        continue
      }
      // a ban stored past the global bound (an older version, a bug) would break every date printer
      const ban =
        stored.until - now > MAX_DURATION_MS || !Number.isFinite(stored.until)
          ? { ...stored, until: now + MAX_DURATION_MS }
          : stored
      if (ban !== stored) batch.put('bans', key, ban)
      this.banMap.set(key, ban)
      this.deadline.set(key, monotonicOf(this.c.clock) + ban.until - now)
      if (!ban.reporters.includes(SELF)) this.remoteBans++
      this.remote.update(key, ban.reporters.includes(SELF) ? null : ban.reporters)
      this.expiry.push(key, ban.until)
    }
    for await (const [k, v] of this.c.store.entries<Vote>('votes')) {
      if (!isLive(v, this.policy, now)) {
        batch.del('votes', k)
        continue
      }
      this.votesOf(v.key).set(v.author, v)
    }
    for await (const [key, o] of this.c.store.entries<Offence>('offences')) {
      if (this.forgotten(o, now)) batch.del('offences', key)
      else this.offences.set(key, o)
    }
    await batch.write()
    await this.pruneHistory()
    this.armSweep()
    this.gauge()
    return [...this.banMap.values()]
  }

  async stop (): Promise<void> {
    this.expiry.stop()
    this.sweepTimer?.cancel()
    this.pruneTimer?.cancel()
    await this.queue.catch(() => {})
  }

  bans (): Ban[] {
    return [...this.banMap.values()]
  }

  kernelBans (): KernelBan[] {
    const now = this.c.clock.now()
    const mono = monotonicOf(this.c.clock)
    const out: KernelBan[] = []
    for (const b of this.banMap.values()) {
      if (!b.firewall || b.ip === undefined) continue
      out.push({ subject: b.ip, until: now + (this.deadline.get(b.key) ?? mono + b.until - now) - mono })
    }
    return out
  }

  get (key: string): Ban | undefined {
    return this.banMap.get(key)
  }

  containing (subject: string): Ban | undefined {
    return banContaining(k => this.banMap.get(k), subject)
  }

  byOrigin (): BansByOrigin {
    return countByOrigin(this.banMap.values())
  }

  protectedReason (subject: string): string | null {
    return this.allow.why(subject)
  }

  setOwnAddresses (addresses: readonly string[]): void {
    this.allow.setOwnAddresses(addresses)
  }

  kernelAllow (): string[] {
    return this.allow.kernelEntries()
  }

  allowSet (): CidrSet {
    return this.allow.asCidrSet()
  }

  /** A reload's allowlist: bans of subjects it now protects are lifted, each logged with why. */
  setAllow (allow: readonly string[], neverBan?: NeverBanSettings): Promise<Decision[]> {
    return this.serial(async () => {
      this.allow.set(allow, neverBan)
      const out: Decision[] = []
      for (const ban of [...this.banMap.values()]) {
        const why = this.allow.why(ban.ip ?? ban.key)
        if (why === null || why === 'invalid') continue
        const d = await this.lift(ban.key, 'allowed', true)
        if (d === null) continue
        out.push(d)
        this.log.info(
          { ip: ban.ip, why },
          `ban lifted: ${ban.ip ?? ban.key} is protected by the reloaded configuration (${why})`
        )
      }
      return out
    })
  }

  /**
   * A reload's vote arithmetic (threshold, quorum, window, banFor, maxRemoteBans) and, through
   * `peerOf`, each remote author's new weight and shadow flag for the votes already counted.
   * Every key is tallied again: bans that no longer stand on their votes are lifted (never a
   * manual or a local one, as when a vote is retracted), votes that now reach the threshold ban.
   */
  setTrust (
    trust: DecideInit['trust'],
    peerOf?: (author: string) => { weight: number; shadow: boolean } | undefined
  ): Promise<Decision[]> {
    return this.serial(async () => {
      this.init = { ...this.init, trust }
      this.policy.threshold = trust.threshold
      this.policy.quorum = trust.quorum
      this.policy.window = trust.window
      this.remote = new RemoteBudget(trust.maxRemoteBans, trust.peers.filter(p => p.weight > 0 && !p.shadow).length)
      for (const b of this.banMap.values()) this.remote.update(b.key, b.reporters.includes(SELF) ? null : b.reporters)
      const reweighed = this.c.store.batch()
      for (const [key, votes] of this.votes) {
        for (const [author, v] of votes) {
          const p = author === SELF ? undefined : peerOf?.(author)
          if (p === undefined || (p.weight === v.weight && p.shadow === (v.shadow === true))) continue
          const w = { ...v, weight: p.weight, shadow: p.shadow }
          votes.set(author, w)
          reweighed.put('votes', voteKey(key, author), w)
        }
      }
      await reweighed.write()
      const out: Decision[] = []
      for (const key of [...this.banMap.keys()]) {
        const d = await this.reevaluate(key, 'untrusted')
        if (d !== null) out.push(d)
      }
      const batch = this.c.store.batch()
      const made: Made[] = []
      for (const [key, votes] of this.votes) {
        if (this.banMap.has(key)) continue
        let newest: Vote | undefined
        for (const v of votes.values()) if (newest === undefined || v.observedAt > newest.observedAt) newest = v
        if (newest === undefined) continue
        try {
          const m = this.doVote(newest, batch)
          if (m !== null) made.push(m)
        } catch {
          /* a protected subject: refused as its vote was */
        }
      }
      await this.commit(made, batch)
      return [...out, ...made.map(m => m.d)]
    })
  }

  vote (v: Vote): Promise<Decision | null> {
    return this.serial(async () => {
      const batch = this.c.store.batch()
      const made = this.doVote(v, batch)
      await this.commit(made === null ? [] : [made], batch)
      return made?.d ?? null
    })
  }

  voteMany (votes: readonly Vote[], done: readonly string[] = []): Promise<Array<Decision | null>> {
    return this.serial(async () => {
      const batch = this.c.store.batch()
      for (const id of done) batch.del('outbox', id)
      const made: Made[] = []
      const out: Array<Decision | null> = []
      for (const v of votes) {
        let m: Made | null = null
        try {
          m = this.doVote(v, batch)
        } catch (err) {
          // one refused vote (a protected address) must not cost the others of the batch
          this.log.warn({ err, ip: v.ip, filter: v.filter }, 'vote refused')
        }
        if (m !== null) made.push(m)
        out.push(m?.d ?? null)
      }
      await this.commit(made, batch)
      return out
    })
  }

  unban (key: string): Promise<Decision | null> {
    return this.serial(() => this.lift(key, 'admin', true))
  }

  retract (author: string, key: string): Promise<Decision | null> {
    return this.serial(async () => {
      const votes = this.votes.get(key)
      if (votes?.delete(author) !== true) return null
      await this.c.store.del('votes', voteKey(key, author))
      // a ban that stands on the other votes no longer names the author that withdrew
      const ban = this.banMap.get(key)
      if (ban?.reporters.includes(author) === true) {
        const kept = { ...ban, reporters: ban.reporters.filter(a => a !== author) }
        this.banMap.set(key, kept)
        await this.c.store.put('bans', key, kept)
      }
      return await this.reevaluate(key, 'retracted')
    })
  }

  revoke (author: string): Promise<Decision[]> {
    return this.serial(async () => {
      const out: Decision[] = []
      const batch = this.c.store.batch()
      const touched: string[] = []
      for (const [key, votes] of this.votes) {
        if (votes.delete(author)) {
          batch.del('votes', voteKey(key, author))
          touched.push(key)
        }
      }
      await batch.write()
      for (const key of touched) {
        const d = await this.reevaluate(key, 'revoked')
        if (d !== null) out.push(d)
      }
      return out
    })
  }

  votesOn (key: string): readonly Vote[] {
    return [...(this.votes.get(key)?.values() ?? [])]
  }

  async explain (key: string): Promise<Explanation> {
    const decisions = await recentDecisions(this.c.store, key)
    return {
      key,
      ban: this.banMap.get(key),
      protected: protectedOrNull(this.allow.why(key)),
      votes: [...(this.votes.get(key)?.values() ?? [])],
      offence: this.offences.get(key),
      decisions
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn)
    this.queue = p.catch(() => {})
    return p
  }

  private votesOf (key: string): Map<string, Vote> {
    let m = this.votes.get(key)
    if (m === undefined) {
      m = new Map()
      this.votes.set(key, m)
    }
    return m
  }

  /** Count one vote into `batch`; the decision it makes is already in memory, its sinks wait for the write. */
  private doVote (v: Vote, batch: StoreBatch): Made | null {
    const now = this.c.clock.now()
    const m = this.c.metrics
    if (v.ip !== undefined) {
      const why = this.allow.why(v.ip)
      if (why !== null) {
        m?.counter('palisade_decide_votes_refused_total', 'votes refused because the subject is protected', [
          'why'
        ]).inc({ why })
        this.log.debug({ ip: v.ip, author: v.author, filter: v.filter, why }, 'vote refused: protected address')
        if (v.origin === 'detect') this.allow.refused(why, v.ip, now, this.log, m)
        if (v.origin === 'manual') { throw palisadeError(ErrorCodes.DECIDE_ALLOWLISTED, `${v.ip} is protected (${why}) and cannot be banned`) }
        return null
      }
    }
    m?.counter('palisade_decide_votes_total', 'votes counted', ['origin']).inc({ origin: v.origin })
    const votes = this.votesOf(v.key)
    const previous = votes.get(v.author)
    // one author counts once per key: keep its latest statement, never let a replay shorten it
    if (previous === undefined || previous.observedAt <= v.observedAt) votes.set(v.author, v)
    const t = tally(votes.values(), this.policy, now)
    batch.put('votes', voteKey(v.key, v.author), v)
    if (!t.decisive) {
      if (
        t.shadow.length > 0 &&
        tally(
          [...votes.values()].map(x => ({ ...x, shadow: false })),
          this.policy,
          now
        ).decisive
      ) {
        this.log.info({ ip: v.ip, shadow: t.shadow, weight: t.weight }, 'shadow votes would have banned')
      }
      return null
    }
    const existing = this.banMap.get(v.key)
    const self = t.local ? votes.get(SELF) : undefined
    const asked = clampDuration(self !== undefined ? self.ttl : this.init.trust.banFor)
    const firewall = (self ?? v).firewall !== false
    const refused = existing === undefined && !t.local ? this.remote.refusal(v.key, t.authors) : null
    if (refused !== null) {
      m?.counter('palisade_decide_remote_bans_capped_total', 'remote bans refused by trust.maxRemoteBans').inc()
      this.log.warn(
        { ip: v.ip, cap: this.init.trust.maxRemoteBans, why: refused, authors: t.authors },
        refused === 'cap'
          ? 'remote ban refused: maxRemoteBans reached'
          : 'remote ban refused: its reporters hold their share of maxRemoteBans'
      )
      return null
    }
    let ban: Ban
    if (existing !== undefined) {
      // remote votes and repeats only ever lengthen a ban, never shorten it (measured on the
      // monotonic clock: a wall-clock step must not make a repeat look longer or shorter)
      const left = (this.deadline.get(v.key) ?? 0) - monotonicOf(this.c.clock)
      const until = asked > left ? now + asked : existing.until
      ban = {
        ...existing,
        until,
        reporters: mergeReporters(existing.reporters, t.authors),
        firewall: existing.firewall || firewall
      }
    } else {
      const esc =
        firewall && asked > 0
          ? nextBanDuration(this.offences.get(v.key), asked, this.init.escalation, now)
          : { duration: asked, level: 0 }
      ban = {
        key: v.key,
        ip: v.ip,
        values: v.values,
        filter: (self ?? v).filter,
        origin: (self ?? v).origin,
        since: now,
        until: now + esc.duration,
        level: esc.level,
        reporters: t.authors,
        reason: (self ?? v).reason,
        firewall
      }
      if (firewall && asked > 0) {
        const o: Offence = { count: esc.level + 1, lastDuration: esc.duration, lastAt: now }
        this.offences.set(v.key, o)
        batch.put('offences', v.key, o)
      }
    }
    const newReporter = existing === undefined || !existing.reporters.includes(v.author)
    const d: Decision = { kind: 'ban', ban, extended: existing !== undefined, restored: false, vote: v, newReporter }
    return this.stage(d, batch, existing !== undefined ? 'extended' : 'votes reached threshold', [...votes.values()])
  }

  private async reevaluate (key: string, why: 'retracted' | 'revoked' | 'untrusted'): Promise<Decision | null> {
    const ban = this.banMap.get(key)
    if (ban === undefined) return null
    const t = tally(this.votes.get(key)?.values() ?? [], this.policy, this.c.clock.now())
    if (t.decisive || ban.origin === 'manual' || t.local) return null
    return await this.lift(key, why, false)
  }

  private async onDue (key: string, until: number): Promise<void> {
    await this.serial(async () => {
      const ban = this.banMap.get(key)
      if (ban === undefined || ban.until !== until) return null
      return await this.lift(key, 'expired', false)
    }).catch(err => this.log.error({ err, key }, 'ban expiry failed'))
  }

  private async lift (
    key: string,
    why: Extract<Decision, { kind: 'unban' }>['why'],
    dropVotes: boolean
  ): Promise<Decision | null> {
    const ban = this.banMap.get(key)
    if (ban === undefined) return null
    const batch = this.c.store.batch().del('bans', key)
    if (dropVotes) {
      for (const author of this.votes.get(key)?.keys() ?? []) batch.del('votes', voteKey(key, author))
      this.votes.delete(key)
    } else if (this.votes.get(key)?.delete(SELF) === true) {
      // this node's detection was spent on the ban that just ended: a later remote report must
      // not find it still "live" and re-ban at once on the strength of an old local vote
      batch.del('votes', voteKey(key, SELF))
    }
    const d: Decision = { kind: 'unban', ban, why }
    await this.commit([this.stage(d, batch, why, [])], batch)
    if (this.remote.hasWaiting()) await this.retallyWaiting()
    return d
  }

  /** Room appeared in the remote budget: bans refused for room are tallied again, oldest first. */
  private async retallyWaiting (): Promise<void> {
    const batch = this.c.store.batch()
    const made: Made[] = []
    for (const key of this.remote.takeWaiting()) {
      if (this.banMap.has(key)) continue
      let newest: Vote | undefined
      for (const v of this.votes.get(key)?.values() ?? []) {
        if (newest === undefined || v.observedAt > newest.observedAt) newest = v
      }
      const m = newest === undefined ? null : this.doVote(newest, batch)
      if (m !== null) made.push(m)
    }
    await this.commit(made, batch)
  }

  /**
   * Put the decision and its reasons into the batch and make it the engine's state at once, so
   * that the next vote of the same batch sees it; the sinks act in commit(), after the write.
   */
  private stage (d: Decision, batch: StoreBatch, why: string, votes: Vote[]): Made {
    const now = this.c.clock.now()
    const ban = d.ban
    putDecision(batch, d, why, votes, now)
    const before = this.banMap.get(ban.key)
    const wasRemote = before !== undefined && !before.reporters.includes(SELF)
    if (d.kind === 'ban') {
      batch.put('bans', ban.key, ban)
      this.banMap.set(ban.key, ban)
      if (before?.until !== ban.until) {
        const due = monotonicOf(this.c.clock) + ban.until - now
        this.deadline.set(ban.key, due)
        this.expiry.push(ban.key, ban.until, due)
      }
    } else {
      this.banMap.delete(ban.key)
      this.deadline.delete(ban.key)
    }
    const isRemote = d.kind === 'ban' && !ban.reporters.includes(SELF)
    this.remoteBans += (isRemote ? 1 : 0) - (wasRemote ? 1 : 0)
    this.remote.update(ban.key, isRemote ? ban.reporters : null)
    return { d, why }
  }

  /**
   * Write the batch (every staged decision with what the sinks add to it, atomically), then let
   * the sinks act. A failing store (full disk) does not stop protection: the decisions stand in
   * memory and in the kernel; the failure is counted and logged once a minute.
   */
  private async commit (made: readonly Made[], batch: StoreBatch): Promise<void> {
    for (const { d } of made) for (const s of this.sinks) await s.prepare?.(d, batch)
    const retried = this.addUnstored(batch)
    try {
      await batch.write()
      for (const key of retried) this.unstored.delete(key)
    } catch (err) {
      for (const { d } of made) this.unstored.add(d.ban.key)
      this.c.metrics
        ?.counter('palisade_store_write_failures_total', 'store writes that failed (decisions kept in memory)', [
          'stage'
        ])
        .inc({ stage: 'decide' })
      const mono = monotonicOf(this.c.clock)
      if (mono - this.storeFailureLoggedAt >= STORE_FAILURE_LOG_INTERVAL) {
        this.storeFailureLoggedAt = mono
        this.log.error(
          { err, decisions: made.length },
          'cannot store decisions: they stand in memory and in the firewall, not across a restart'
        )
      }
    }
    if (made.length === 0) return
    this.gauge()
    const counter = this.c.metrics?.counter('palisade_decide_decisions_total', 'decisions made', ['kind', 'why'])
    const each = made.length <= LOG_EACH_UP_TO
    if (!each) this.logBurst(made)
    for (const { d, why } of made) {
      const ban = d.ban
      counter?.inc({ kind: d.kind, why })
      if (each) {
        this.log.info(
          {
            ip: ban.ip,
            key: ban.ip === undefined ? ban.key : undefined,
            filter: ban.filter,
            origin: ban.origin,
            reporters: ban.reporters,
            until: new Date(ban.until).toISOString(),
            escalation: ban.level,
            why
          },
          d.kind
        )
      }
      for (const s of this.sinks) {
        try {
          await s.apply(d)
        } catch (err) {
          this.log.error({ err, sink: s.name, ip: ban.ip }, `decision sink failed: ${s.name}`)
        }
      }
    }
  }

  /**
   * A burst's decisions in one line per (kind, filter, why) with every subject: 5,000 log calls
   * cost more than the bans themselves, and block when the log pipe is full.
   */
  private logBurst (made: readonly Made[]): void {
    const groups = new Map<string, { kind: string; filter: string; why: string; subjects: string[] }>()
    for (const { d, why } of made) {
      const id = `${d.kind}\0${d.ban.filter}\0${why}`
      let g = groups.get(id)
      if (g === undefined) groups.set(id, (g = { kind: d.kind, filter: d.ban.filter, why, subjects: [] }))
      g.subjects.push(d.ban.ip ?? d.ban.key)
    }
    for (const g of groups.values()) {
      this.log.info(
        { filter: g.filter, why: g.why, count: g.subjects.length, subjects: g.subjects },
        `${g.kind} ×${g.subjects.length}`
      )
    }
  }

  /** the bans (or removals) a failed write lost, as they stand now */
  private addUnstored (batch: StoreBatch): string[] {
    const keys = [...this.unstored]
    for (const key of keys) {
      const ban = this.banMap.get(key)
      if (ban !== undefined) batch.put('bans', key, ban)
      else batch.del('bans', key)
    }
    return keys
  }

  private gauge (): void {
    this.c.metrics?.gauge('palisade_decide_bans_active', 'bans in force').set(this.banMap.size)
  }

  private forgotten (o: Offence, now: number): boolean {
    return this.init.escalation === null || o.lastAt + o.lastDuration + this.init.escalation.remember <= now
  }

  private async pruneHistory (): Promise<void> {
    await pruneDecisions(this.c.store, this.c.clock.now() - DECISION_HISTORY)
    this.pruneTimer = this.c.clock.setTimeout(() => {
      void this.serial(() => this.pruneHistory()).catch(err => this.log.error({ err }, 'decision history prune failed'))
    }, HISTORY_PRUNE_INTERVAL)
  }

  private armSweep (): void {
    this.sweepTimer = this.c.clock.setTimeout(() => {
      void this.serial(async () => {
        const now = this.c.clock.now()
        const batch = this.c.store.batch()
        for (const [key, votes] of this.votes) {
          for (const [author, v] of votes) {
            if (!isLive(v, this.policy, now)) {
              votes.delete(author)
              batch.del('votes', voteKey(key, author))
            }
          }
          if (votes.size === 0) this.votes.delete(key)
        }
        for (const [key, o] of this.offences) {
          if (this.forgotten(o, now)) {
            this.offences.delete(key)
            batch.del('offences', key)
          }
        }
        const retried = this.addUnstored(batch)
        await batch.write()
        for (const key of retried) this.unstored.delete(key)
      })
        .catch(err => this.log.error({ err }, 'vote sweep failed'))
        .finally(() => this.armSweep())
    }, SWEEP_INTERVAL)
  }
}

function protectedOrNull (why: string | null): string | null {
  return why === 'invalid' ? null : why
}

function voteKey (key: string, author: string): string {
  return `${key}\0${author}`
}

function mergeReporters (a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])]
}

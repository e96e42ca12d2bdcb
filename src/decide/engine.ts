import { SELF, type Ban, type Decision, type Vote } from '../common/model.ts'
import { ErrorCodes, palisadeError } from '../common/errors.ts'
import type { CidrSet } from '../common/ip.ts'
import { clampDuration, MAX_DURATION_MS } from '../common/duration.ts'
import type { StoreBatch } from '../store/index.ts'
import type { DecideComponents, DecideInit, DecisionEngine, DecisionSink } from './index.ts'
import { Allowlist } from './allow.ts'
import { ExpiryQueue } from './expiry.ts'
import { isLive, tally, type TallyPolicy } from './tally.ts'
import { nextBanDuration, type Offence } from './escalation.ts'

export type { Offence }

/** One stored decision with its reasons, for `palisade show IP`. */
export interface DecisionRecord {
  at: number
  kind: 'ban' | 'unban'
  why: string
  until?: number
  level?: number
  votes: Array<Pick<Vote, 'author' | 'weight' | 'filter' | 'count' | 'observedAt' | 'origin' | 'shadow'>>
}

export interface Explanation {
  key: string
  ban?: Ban
  protected: string | null
  votes: Vote[]
  offence?: Offence
  decisions: DecisionRecord[]
}

/** decisions kept per key for `show IP` */
const DECISIONS_PER_KEY = 50
/** how often stale votes and forgotten offences are swept, ms */
const SWEEP_INTERVAL = 60_000
/** decision records older than this are deleted (they explain `show IP`, not more), ms */
const DECISION_HISTORY = 30 * 86_400_000
/** how often old decision records are pruned, ms */
const HISTORY_PRUNE_INTERVAL = 86_400_000

export class Engine implements DecisionEngine {
  private readonly c: DecideComponents
  private readonly policy: TallyPolicy
  private readonly init: DecideInit
  private readonly allow: Allowlist
  private readonly banMap = new Map<string, Ban>()
  private readonly votes = new Map<string, Map<string, Vote>>()
  private readonly offences = new Map<string, Offence>()
  private readonly sinks: DecisionSink[] = []
  private readonly expiry: ExpiryQueue
  private readonly log
  private remoteBans = 0
  private sweepTimer: { cancel(): void } | undefined
  private pruneTimer: { cancel(): void } | undefined
  /** serialises decisions so that a vote and an unban for one key cannot interleave */
  private queue: Promise<unknown> = Promise.resolve()

  constructor (init: DecideInit, components: DecideComponents) {
    this.init = init
    this.c = components
    this.policy = { threshold: init.trust.threshold, quorum: init.trust.quorum, window: init.trust.window }
    this.allow = new Allowlist(init.allow)
    this.log = components.logger.child({ component: 'decide' })
    this.expiry = new ExpiryQueue(components.clock, (key, until) => { void this.onDue(key, until) })
  }

  subscribe (sink: DecisionSink): void { this.sinks.push(sink) }

  async start (): Promise<Ban[]> {
    const now = this.c.clock.now()
    const batch = this.c.store.batch()
    for await (const [key, stored] of this.c.store.entries<Ban>('bans')) {
      if (stored.until <= now) { batch.del('bans', key); continue }
      // a ban stored past the global bound (an older version, a bug) would break every date printer
      const ban = stored.until - now > MAX_DURATION_MS || !Number.isFinite(stored.until) ? { ...stored, until: now + MAX_DURATION_MS } : stored
      if (ban !== stored) batch.put('bans', key, ban)
      this.banMap.set(key, ban)
      if (!ban.reporters.includes(SELF)) this.remoteBans++
      this.expiry.push(key, ban.until)
    }
    for await (const [k, v] of this.c.store.entries<Vote>('votes')) {
      if (!isLive(v, this.policy, now)) { batch.del('votes', k); continue }
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

  bans (): Ban[] { return [...this.banMap.values()] }
  get (key: string): Ban | undefined { return this.banMap.get(key) }
  protectedReason (subject: string): string | null { return this.allow.why(subject) }
  setOwnAddresses (addresses: readonly string[]): void { this.allow.setOwnAddresses(addresses) }
  kernelAllow (): string[] { return this.allow.kernelEntries() }
  allowSet (): CidrSet { return this.allow.asCidrSet() }

  vote (v: Vote): Promise<Decision | null> { return this.serial(() => this.doVote(v)) }
  unban (key: string): Promise<Decision | null> { return this.serial(() => this.lift(key, 'admin', true)) }

  retract (author: string, key: string): Promise<Decision | null> {
    return this.serial(async () => {
      const votes = this.votes.get(key)
      if (votes?.delete(author) !== true) return null
      await this.c.store.del('votes', voteKey(key, author))
      return await this.reevaluate(key, 'retracted')
    })
  }

  revoke (author: string): Promise<Decision[]> {
    return this.serial(async () => {
      const out: Decision[] = []
      const batch = this.c.store.batch()
      const touched: string[] = []
      for (const [key, votes] of this.votes) {
        if (votes.delete(author)) { batch.del('votes', voteKey(key, author)); touched.push(key) }
      }
      await batch.write()
      for (const key of touched) {
        const d = await this.reevaluate(key, 'revoked')
        if (d !== null) out.push(d)
      }
      return out
    })
  }

  async explain (key: string): Promise<Explanation> {
    const decisions: DecisionRecord[] = []
    for await (const [, r] of this.c.store.entries<DecisionRecord>('decisions', { gte: `${key}\0`, lt: `${key}\u0001`, reverse: true, limit: DECISIONS_PER_KEY })) decisions.push(r)
    return {
      key,
      ban: this.banMap.get(key),
      protected: protectedOrNull(this.allow.why(key)),
      votes: [...(this.votes.get(key)?.values() ?? [])],
      offence: this.offences.get(key),
      decisions
    }
  }

  private serial<T> (fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn)
    this.queue = p.catch(() => {})
    return p
  }

  private votesOf (key: string): Map<string, Vote> {
    let m = this.votes.get(key)
    if (m === undefined) { m = new Map(); this.votes.set(key, m) }
    return m
  }

  private async doVote (v: Vote): Promise<Decision | null> {
    const now = this.c.clock.now()
    const m = this.c.metrics
    if (v.ip !== undefined) {
      const why = this.allow.why(v.ip)
      if (why !== null) {
        m?.counter('palisade_decide_votes_refused_total', 'votes refused because the subject is protected', ['why']).inc({ why })
        this.log.debug({ ip: v.ip, author: v.author, filter: v.filter, why }, 'vote refused: protected address')
        if (v.origin === 'manual') throw palisadeError(ErrorCodes.DECIDE_ALLOWLISTED, `${v.ip} is protected (${why}) and cannot be banned`)
        return null
      }
    }
    m?.counter('palisade_decide_votes_total', 'votes counted', ['origin']).inc({ origin: v.origin })
    const votes = this.votesOf(v.key)
    const previous = votes.get(v.author)
    // one author counts once per key: keep its latest statement, never let a replay shorten it
    if (previous === undefined || previous.observedAt <= v.observedAt) votes.set(v.author, v)
    const t = tally(votes.values(), this.policy, now)
    const batch = this.c.store.batch().put('votes', voteKey(v.key, v.author), v)
    if (!t.decisive) {
      if (t.shadow.length > 0 && tally([...votes.values()].map(x => ({ ...x, shadow: false })), this.policy, now).decisive) {
        this.log.info({ ip: v.ip, shadow: t.shadow, weight: t.weight }, 'shadow votes would have banned')
      }
      await batch.write()
      return null
    }
    const existing = this.banMap.get(v.key)
    const self = t.local ? votes.get(SELF) : undefined
    const asked = clampDuration(self !== undefined ? self.ttl : this.init.trust.banFor)
    const firewall = (self ?? v).firewall !== false
    if (existing === undefined && !t.local && this.remoteBans >= this.init.trust.maxRemoteBans) {
      m?.counter('palisade_decide_remote_bans_capped_total', 'remote bans refused by trust.maxRemoteBans').inc()
      this.log.warn({ ip: v.ip, cap: this.init.trust.maxRemoteBans }, 'remote ban refused: maxRemoteBans reached')
      await batch.write()
      return null
    }
    let ban: Ban
    if (existing !== undefined) {
      // remote votes and repeats only ever lengthen a ban, never shorten it
      const until = Math.max(existing.until, now + asked)
      ban = { ...existing, until, reporters: mergeReporters(existing.reporters, t.authors), firewall: existing.firewall || firewall }
    } else {
      const esc = firewall && asked > 0 ? nextBanDuration(this.offences.get(v.key), asked, this.init.escalation, now) : { duration: asked, level: 0 }
      ban = {
        key: v.key, ip: v.ip, values: v.values, filter: (self ?? v).filter, origin: (self ?? v).origin,
        since: now, until: now + esc.duration, level: esc.level, reporters: t.authors, reason: (self ?? v).reason, firewall
      }
      if (firewall && asked > 0) {
        const o: Offence = { count: esc.level + 1, lastDuration: esc.duration, lastAt: now }
        this.offences.set(v.key, o)
        batch.put('offences', v.key, o)
      }
    }
    const newReporter = existing === undefined || !existing.reporters.includes(v.author)
    const d: Decision = { kind: 'ban', ban, extended: existing !== undefined, restored: false, vote: v, newReporter }
    await this.commit(d, batch, existing !== undefined ? 'extended' : 'votes reached threshold', [...votes.values()])
    return d
  }

  private async reevaluate (key: string, why: 'retracted' | 'revoked'): Promise<Decision | null> {
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

  private async lift (key: string, why: 'expired' | 'admin' | 'retracted' | 'revoked', dropVotes: boolean): Promise<Decision | null> {
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
    await this.commit(d, batch, why, [])
    return d
  }

  /** store the decision with everything the sinks add, atomically; then let the sinks act */
  private async commit (d: Decision, batch: StoreBatch, why: string, votes: Vote[]): Promise<void> {
    const now = this.c.clock.now()
    const ban = d.ban
    const record: DecisionRecord = {
      at: now, kind: d.kind, why, until: d.kind === 'ban' ? ban.until : undefined, level: ban.level,
      votes: votes.map(v => ({ author: v.author, weight: v.weight, filter: v.filter, count: v.count, observedAt: v.observedAt, origin: v.origin, shadow: v.shadow }))
    }
    batch.put('decisions', `${ban.key}\0${String(now).padStart(15, '0')}`, record)
    if (d.kind === 'ban') batch.put('bans', ban.key, ban)
    for (const s of this.sinks) await s.prepare?.(d, batch)
    await batch.write()
    const wasRemote = this.banMap.has(ban.key) && !this.banMap.get(ban.key)!.reporters.includes(SELF)
    if (d.kind === 'ban') {
      this.banMap.set(ban.key, ban)
      this.expiry.push(ban.key, ban.until)
    } else {
      this.banMap.delete(ban.key)
    }
    const isRemote = d.kind === 'ban' && !ban.reporters.includes(SELF)
    this.remoteBans += (isRemote ? 1 : 0) - (wasRemote ? 1 : 0)
    this.gauge()
    this.c.metrics?.counter('palisade_decide_decisions_total', 'decisions made', ['kind', 'why']).inc({ kind: d.kind, why })
    this.log.info({ ip: ban.ip, key: ban.ip === undefined ? ban.key : undefined, filter: ban.filter, origin: ban.origin, reporters: ban.reporters, until: new Date(ban.until).toISOString(), level: ban.level, why }, d.kind)
    for (const s of this.sinks) {
      try {
        await s.apply(d)
      } catch (err) {
        this.log.error({ err, sink: s.name, ip: ban.ip }, `decision sink failed: ${s.name}`)
      }
    }
  }

  private gauge (): void {
    this.c.metrics?.gauge('palisade_decide_bans_active', 'bans in force').set(this.banMap.size)
  }

  private forgotten (o: Offence, now: number): boolean {
    return this.init.escalation === null || o.lastAt + o.lastDuration + this.init.escalation.remember <= now
  }

  /** The decision history is keyed by subject, so an age cut is a full scan: done at start and daily. */
  private async pruneHistory (): Promise<void> {
    const cutoff = this.c.clock.now() - DECISION_HISTORY
    let batch = this.c.store.batch()
    for await (const [k, r] of this.c.store.entries<DecisionRecord>('decisions')) {
      if (r.at >= cutoff) continue
      batch.del('decisions', k)
      if (batch.length >= 10_000) { await batch.write(); batch = this.c.store.batch() }
    }
    await batch.write()
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
            if (!isLive(v, this.policy, now)) { votes.delete(author); batch.del('votes', voteKey(key, author)) }
          }
          if (votes.size === 0) this.votes.delete(key)
        }
        for (const [key, o] of this.offences) {
          if (this.forgotten(o, now)) { this.offences.delete(key); batch.del('offences', key) }
        }
        await batch.write()
      }).catch(err => this.log.error({ err }, 'vote sweep failed')).finally(() => this.armSweep())
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

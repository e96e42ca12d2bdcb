import type { KeyObject } from 'node:crypto'
import type { Clock } from '../common/clock.ts'
import { clampDuration } from '../common/duration.ts'
import { isNeverBan, parseSubject, type CidrSet } from '../common/ip.ts'
import type { Logger } from '../common/logger.ts'
import type { Vote } from '../common/model.ts'
import type { Counter } from '../control/metrics-types.ts'
import type { Store } from '../store/index.ts'
import type { TrustedPeer, TrustPolicy } from '../trust/index.ts'
import { publicKeyOf } from '../trust/index.ts'
import { verifierKey, verifyWith } from './identity.ts'
import { decodeObservation, MAX_OBSERVATION_BYTES, type Observation } from './observation.ts'
import { observationKey, type SeenCache, type StoredObservation } from './dedupe.ts'
import type { PeerGuard } from './peer-guard.ts'
import { RejectLog } from './reject-log.ts'

/**
 * The receive path every observation takes, from gossip or sync alike, cheapest check first
 * (docs/wire-format.md): relay budget → size → decode → trusted author → already seen →
 * signature → age/skew → (author, seq) claim → rate cap → prefix width → IP class → vote. Each
 * refusal is typed and counted, per reason in metrics and per author in the trust stats.
 */
export type RejectReason =
  | 'oversize' | 'decode' | 'own' | 'untrusted' | 'revoked' | 'signature' | 'future' | 'stale'
  | 'duplicate' | 'rate' | 'never-ban' | 'allowlisted' | 'budget' | 'penalised' | 'prefix'

/** maps onto gossipsub's Accept / Reject (relay penalised) / Ignore (dropped quietly) */
export type ReceiveResult =
  | { action: 'accept', obs: Observation, vote?: Vote, retracted?: boolean }
  | { action: 'reject' | 'ignore', reason: RejectReason, obs?: Observation }

/** outcome of the synchronous checks: refused, admitted, or admitted pending the store's dedupe answer */
export type Verdict = Refusal | Admitted | { action: 'confirm', obs: Observation, peer: TrustedPeer }
type Refusal = Exclude<ReceiveResult, { action: 'accept' }>
interface Admitted { action: 'admit', obs: Observation, peer: TrustedPeer }

const REJECT: ReadonlySet<RejectReason> = new Set(['oversize', 'decode', 'signature'])

export interface ReceiverInit {
  self: string
  window: number
  maxClockSkew: number
  honorRetractions: boolean
  allow: () => CidrSet
  /** verifier KeyObjects cached for this many authors */
  maxKeyCache?: number
  /** narrowest prefix lengths a remote ban may name; wider ones are refused ('prefix') */
  minPrefix4?: number
  minPrefix6?: number
  /** an observation refused for its author's rate is not taken again for this long, ms */
  rateCooloff?: number
}

/** how the caller got the bytes: gossip messages spend the relay's budget, sync answers do not */
export interface ReceiveOptions {
  budgeted?: boolean
}

export interface ReceiverComponents {
  store: Store
  trustPolicy: TrustPolicy
  clock: Clock
  logger: Logger
  seen: SeenCache
  rejected?: Counter
  accepted?: Counter
  /** per-relay budget and penalty, checked before any decoding */
  guard?: PeerGuard
  /** a relay earned a penalty: disconnect it; `until` is when it may come back */
  onPenalty? (peer: string, until: number): void
  onVote (v: Vote): Promise<void> | void
  onRetract (author: string, ip: string): Promise<void> | void
}

export class Receiver {
  private readonly init: ReceiverInit
  private readonly c: ReceiverComponents
  private readonly log: Logger
  private readonly keys = new Map<string, KeyObject>()
  /** per-author highest accepted seq, mirrored in the store's `authors` area */
  private readonly high = new Map<string, number>()
  private readonly rejectLog: RejectLog

  private readonly isCached = (author: string): boolean => this.keys.has(author)

  constructor (init: ReceiverInit, components: ReceiverComponents) {
    this.init = init
    this.c = components
    this.log = components.logger.child({ component: 'federation-receive' })
    this.rejectLog = new RejectLog(this.log, components.clock)
  }

  async load (): Promise<void> {
    for await (const [author, v] of this.c.store.entries<{ highSeq: number }>('authors')) { this.high.set(author, v.highSeq) }
  }

  async receive (bytes: Uint8Array, via?: string, opts: ReceiveOptions = {}): Promise<ReceiveResult> {
    const now = this.c.clock.now()
    const guard = this.c.guard
    if (guard !== undefined && via !== undefined) {
      const refused = guard.isPenalised(via, now) ? 'penalised' : opts.budgeted === true && !guard.admit(via, now) ? 'budget' : undefined
      if (refused !== undefined) {
        this.c.rejected?.inc({ reason: refused })
        this.c.trustPolicy.recordRejected(via, refused, now)
        return { action: 'ignore', reason: refused }
      }
    }
    const first = this.verify(bytes, now)
    let v: Refusal | Admitted
    if (first.action !== 'confirm') v = first
    else if (await this.c.seen.confirm(first.obs.author, first.obs.seq)) { v = this.afterDedupe(first.obs, first.peer, now) } else v = { action: 'ignore', reason: 'duplicate', obs: first.obs }
    const r = v.action === 'admit' ? await this.apply(v.obs, v.peer, bytes, now) : v
    if (r.action === 'accept') {
      this.c.trustPolicy.recordAccepted(r.obs.author, now)
      this.c.accepted?.inc({ kind: r.obs.kind })
    } else {
      this.c.rejected?.inc({ reason: r.reason })
      if (r.obs !== undefined) this.c.trustPolicy.recordRejected(r.obs.author, r.reason, now)
      if (r.action === 'reject') {
        this.rejectLog.note(via, r.reason, r.obs?.author)
        // a bad signature costs the relay too: its own validator would have refused to pass it on
        if (via !== undefined && r.obs?.author !== via) this.c.trustPolicy.recordRejected(via, r.reason, now)
        // only the expensive refusal earns a penalty: a malformed message (a newer wire version
        // from an honest member during an upgrade) costs little and only spends the budget
        const until = via === undefined || r.reason !== 'signature' ? undefined : guard?.invalid(via, now)
        if (until !== undefined) {
          this.log.warn(
            { peer: via, until: new Date(until).toISOString() },
            'peer disconnected for sending invalid observations'
          )
          this.c.onPenalty?.(via!, until)
        }
      } else { this.log.debug({ peer: via, reason: r.reason, author: r.obs?.author, ip: r.obs?.ip }, 'observation ignored') }
    }
    return r
  }

  /**
   * Every check up to the vote, synchronously: the per-message hot path. Claims (author, seq) in
   * the seen-set; 'confirm' when only the store can tell whether it is new (seen-set overflowed).
   */
  verify (bytes: Uint8Array, now: number): Verdict {
    if (bytes.length > MAX_OBSERVATION_BYTES) return { action: 'reject', reason: 'oversize' }
    let d
    try {
      d = decodeObservation(bytes, { knownAuthor: this.isCached })
    } catch {
      return { action: 'reject', reason: 'decode' }
    }
    const obs = d.obs
    if (obs.author === this.init.self) return { action: 'ignore', reason: 'own', obs }
    const peer = this.c.trustPolicy.get(obs.author)
    if (peer === undefined) {
      return { action: 'ignore', reason: this.c.trustPolicy.isRevoked(obs.author) ? 'revoked' : 'untrusted', obs }
    }
    // a copy of what is held (or was refused for rate and is cooling off) costs no signature check
    if (this.c.seen.has(obs.author, obs.seq, now)) return { action: 'ignore', reason: 'duplicate', obs }
    if (!verifyWith(this.keyOf(obs.author), d.signed, d.signature)) { return { action: 'reject', reason: 'signature', obs } }
    if (obs.observedAt > now + this.init.maxClockSkew) return { action: 'ignore', reason: 'future', obs }
    const expiresAt = obs.observedAt + this.init.window
    if (expiresAt < now) return { action: 'ignore', reason: 'stale', obs }
    const fresh = this.c.seen.claimNow(obs.author, obs.seq, expiresAt, now)
    if (fresh === false) return { action: 'ignore', reason: 'duplicate', obs }
    if (fresh === undefined) return { action: 'confirm', obs, peer }
    return this.afterDedupe(obs, peer, now)
  }

  private afterDedupe (obs: Observation, peer: TrustedPeer, now: number): Refusal | Admitted {
    if (!this.c.trustPolicy.allowReport(obs.author, now)) {
      // held as seen for a while: sync would otherwise send it again and make us verify it again
      this.c.seen.defer(
        obs.author,
        obs.seq,
        Math.min(obs.observedAt + this.init.window, now + (this.init.rateCooloff ?? 3_600_000))
      )
      return { action: 'ignore', reason: 'rate', obs }
    }
    const subject = parseSubject(obs.ip)
    if (subject === null) return { action: 'reject', reason: 'decode', obs }
    if (obs.kind === 'ban') {
      if (isNeverBan(subject)) return { action: 'ignore', reason: 'never-ban', obs }
      if (this.init.allow().has(subject)) return { action: 'ignore', reason: 'allowlisted', obs }
      // one member must not put a whole address space (2000::/3) into the kernel sets
      if (
        subject.isPrefix &&
        subject.prefixLength < (subject.family === 4 ? (this.init.minPrefix4 ?? 24) : (this.init.minPrefix6 ?? 48))
      ) {
        return { action: 'ignore', reason: 'prefix', obs }
      }
    }
    return { action: 'admit', obs, peer }
  }

  /** An admitted observation: store it, then hand the vote (or retraction) on. */
  private async apply (obs: Observation, peer: TrustedPeer, bytes: Uint8Array, now: number): Promise<ReceiveResult> {
    await this.persist(obs, bytes, now)
    if (obs.kind === 'retract') {
      if (!this.init.honorRetractions) return { action: 'accept', obs, retracted: false }
      await this.c.onRetract(obs.author, obs.ip)
      return { action: 'accept', obs, retracted: true }
    }
    const vote: Vote = {
      key: obs.ip,
      ip: obs.ip,
      values: { ip: obs.ip },
      author: obs.author,
      weight: peer.weight,
      shadow: peer.shadow,
      filter: obs.filter,
      count: obs.count,
      observedAt: obs.observedAt,
      ttl: clampDuration(obs.ttl),
      origin: 'remote'
    }
    await this.c.onVote(vote)
    return { action: 'accept', obs, vote }
  }

  /** Store the signed bytes for sync, and the author's high-water mark. */
  private async persist (obs: Observation, bytes: Uint8Array, now: number): Promise<void> {
    const rec: StoredObservation = {
      hex: Buffer.from(bytes).toString('hex'),
      receivedAt: now,
      observedAt: obs.observedAt
    }
    const b = this.c.store.batch().put('observations', observationKey(obs.author, obs.seq), rec)
    // updated before the await so two concurrent writes cannot lower the mark
    if ((this.high.get(obs.author) ?? 0) < obs.seq) {
      this.high.set(obs.author, obs.seq)
      b.put('authors', obs.author, { highSeq: obs.seq, lastSeen: now })
    }
    await b.write()
  }

  private keyOf (author: string): KeyObject {
    let k = this.keys.get(author)
    if (k === undefined) {
      const raw = publicKeyOf(author)
      if (raw === null) throw new Error('unreachable: author validated by decode')
      k = verifierKey(raw)
      if (this.keys.size >= (this.init.maxKeyCache ?? 4096)) {
        const oldest = this.keys.keys().next()
        if (oldest.done !== true) this.keys.delete(oldest.value)
      }
      this.keys.set(author, k)
    }
    return k
  }

  /** Trust changed: a cached key may belong to a revoked author; dropping all is cheap. */
  forgetKeys (): void { this.keys.clear() }
}

export function isReject (r: ReceiveResult): boolean {
  return r.action === 'reject' && REJECT.has(r.reason)
}

import type { Store } from '../store/index.ts'
import { ErrorCodes, palisadeError } from '../common/errors.ts'
import { parseSubject } from '../common/ip.ts'
import type { Identity } from './identity.ts'
import { encodeObservation, type Observation } from './observation.ts'
import { observationKey, type SeenCache, type StoredObservation } from './dedupe.ts'

const SEQ_KEY = 'federation.seq'

/** what this node states; author and seq are added when it is signed */
export type Outgoing = Pick<Observation, 'kind' | 'ip' | 'filter' | 'count' | 'observedAt' | 'ttl'>

/**
 * Signs this node's observations. The next seq is written to the store before the message is
 * built: after a crash a seq may be skipped, never reused (a reused seq would be dropped as a
 * duplicate by every peer). Calls are serialised so concurrent bans get distinct seqs.
 */
export class Publisher {
  private readonly identity: Identity
  private readonly store: Store
  private readonly seen: SeenCache
  private readonly window: number
  private tail: Promise<unknown> = Promise.resolve()

  constructor (init: { identity: Identity, window: number }, components: { store: Store, seen: SeenCache }) {
    this.identity = init.identity
    this.window = init.window
    this.store = components.store
    this.seen = components.seen
  }

  /** Build, sign and store one observation; returns the wire bytes to gossip. */
  async create (out: Outgoing, now: number): Promise<{ obs: Observation, bytes: Uint8Array }> {
    const run = this.tail.then(async () => await this.createNow(out, now))
    this.tail = run.catch(() => undefined)
    return await run
  }

  private async createNow (out: Outgoing, now: number): Promise<{ obs: Observation, bytes: Uint8Array }> {
    const subject = parseSubject(out.ip)
    if (subject === null) throw palisadeError(ErrorCodes.IP_INVALID, `cannot publish ${JSON.stringify(out.ip)}: not an address or prefix`)
    const seq = ((await this.store.get<number>('meta', SEQ_KEY)) ?? 0) + 1
    await this.store.put('meta', SEQ_KEY, seq)
    const obs: Observation = {
      v: 1,
      kind: out.kind,
      ip: subject.text,
      // filter names travel as [A-Za-z0-9._:-]{1,64} (observation.ts); anything else is replaced
      filter: (out.filter.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 64) || 'unknown'),
      count: Math.max(1, Math.min(1_000_000, Math.round(out.count))),
      observedAt: Math.round(out.observedAt),
      ttl: Math.max(0, Math.min(365 * 86_400_000, Math.round(out.ttl))),
      author: this.identity.id,
      seq
    }
    const bytes = encodeObservation(obs, this.identity.sign)
    const rec: StoredObservation = { hex: Buffer.from(bytes).toString('hex'), receivedAt: now, observedAt: obs.observedAt }
    await this.store.batch()
      .put('observations', observationKey(obs.author, seq), rec)
      .put('authors', obs.author, { highSeq: seq, lastSeen: now })
      .write()
    this.seen.add(obs.author, seq, obs.observedAt + this.window)
    return { obs, bytes }
  }
}

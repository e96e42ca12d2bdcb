import { decode, encode } from 'cborg'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { Logger } from '../common/logger.ts'
import type { Store } from '../store/index.ts'
import type { Clock } from '../common/clock.ts'
import type { Counter } from '../control/metrics-types.ts'
import type { SeenCache, StoredObservation } from './dedupe.ts'
import type { ReceiveOptions, ReceiveResult } from './receive.ts'
import { TokenBuckets } from '../common/token-buckets.ts'

/**
 * `/palisade/sync/1` — pull catch-up after a connect (docs/wire-format.md). The puller sends what it
 * holds per author (seq ranges: a high-water mark that also names its gaps); the server answers
 * with the signed observations it holds beyond them, still inside the window, in batches, then
 * `done`. Every observation goes through the same receive path as gossip, signature included.
 * Each side of a new connection pulls once, so both catch up.
 *
 * Serving costs this node, so it is bounded per peer before any work: only admitted (trusted)
 * peers are answered, one stream at a time each; a request may name at most
 * `SYNC_MAX_RANGES_PER_AUTHOR` ranges per author and `SYNC_MAX_RANGES` in all (else the stream is
 * reset unanswered); the answer is found in time linear in the store and yields to the event
 * loop; and each peer draws from an observation budget (`SYNC_BUDGET`, refilled over
 * `SYNC_BUDGET_REFILL`), so asking for everything again and again gets little.
 *
 *   request  = cbor { v: 1, have: { <author>: [[from, to], …] } }
 *   response = cbor { obs: [bytes, …], done: bool }   (repeated until done)
 */
export const SYNC_PROTOCOL = '/palisade/sync/1'
export const SYNC_BATCH = 500
export const SYNC_MAX_MESSAGE = 1024 * 1024
export const SYNC_MAX_OBSERVATIONS = 100_000
export const SYNC_MAX_AUTHORS = 10_000
export const SYNC_MAX_RANGES_PER_AUTHOR = 256
export const SYNC_MAX_RANGES = 65_536
/** observations one peer may be sent: a full catch-up at once, then this many per refill period */
export const SYNC_BUDGET = SYNC_MAX_OBSERVATIONS
export const SYNC_BUDGET_REFILL = 3_600_000
const SYNC_TIMEOUT = 60_000
/** the request is small and sent first: a peer that holds the stream open without it is dropped */
const REQUEST_TIMEOUT = 10_000

export type SyncRefusal = 'not-admitted' | 'concurrent' | 'too-many-ranges' | 'malformed' | 'budget'

class RequestRefused extends Error {
  readonly reason: SyncRefusal
  constructor (reason: SyncRefusal, message: string) {
    super(message)
    this.reason = reason
  }
}

type Have = Record<string, Array<[number, number]>>

export interface SyncComponents {
  store: Store
  clock: Clock
  seen: SeenCache
  logger: Logger
  /** whether `peer` may be served (trusted, not penalised) */
  admitted (peer: string): boolean
  refused?: Counter
  /** a request from `peer` was refused or cut short by the budget (per-peer stats) */
  onRefuse? (peer: string, reason: SyncRefusal): void
  receive (bytes: Uint8Array, from: string, opts?: ReceiveOptions): Promise<ReceiveResult>
}

export class Sync {
  private readonly c: SyncComponents
  private readonly log: Logger
  private readonly serving = new Set<string>()
  private readonly budget = new TokenBuckets({ burst: SYNC_BUDGET, perSecond: SYNC_BUDGET * 1000 / SYNC_BUDGET_REFILL })

  constructor (components: SyncComponents) {
    this.c = components
    this.log = components.logger.child({ component: 'federation-sync' })
  }

  /** Server side: answer one pull. */
  async serve (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    const refuse = (reason: SyncRefusal, message: string): void => {
      this.c.refused?.inc({ reason })
      this.c.onRefuse?.(peer, reason)
      this.log.debug({ peer, reason }, 'sync request refused')
      stream.abort(new RequestRefused(reason, message))
    }
    if (!this.c.admitted(peer)) { refuse('not-admitted', 'not a trusted peer'); return }
    if (this.serving.has(peer)) { refuse('concurrent', 'one sync at a time per peer'); return }
    this.serving.add(peer)
    const lp = lpStream(stream, { maxDataLength: SYNC_MAX_MESSAGE })
    try {
      const signal = AbortSignal.timeout(SYNC_TIMEOUT)
      const have = parseRequest(
        decode((await lp.read({ signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT)]) })).subarray())
      )
      const now = this.c.clock.now()
      const allowance = Math.min(SYNC_MAX_OBSERVATIONS, Math.floor(this.budget.available(peer, now)))
      const keys = allowance > 0 ? await this.c.seen.missing(have, now, allowance + 1) : []
      if (keys.length > allowance) {
        // more is missing than this peer may have now: it gets its share, the rest on a later connect
        this.c.onRefuse?.(peer, 'budget')
        this.c.refused?.inc({ reason: 'budget' })
        keys.length = allowance
      }
      this.budget.takeUpTo(peer, now, keys.length)
      let sent = 0
      for (let i = 0; i < keys.length; i += SYNC_BATCH) {
        const vals = await Promise.all(
          keys.slice(i, i + SYNC_BATCH).map(async k => await this.c.store.get<StoredObservation>('observations', k))
        )
        const obs = vals.filter(v => v !== undefined).map(v => Uint8Array.from(Buffer.from(v.hex, 'hex')))
        if (obs.length === 0) continue
        await lp.write(encode({ obs, done: false }), { signal })
        sent += obs.length
      }
      await lp.write(encode({ obs: [], done: true }), { signal })
      await stream.close({ signal })
      this.log.debug({ peer, sent }, 'sync served')
    } catch (err) {
      if (err instanceof RequestRefused) {
        refuse(err.reason, err.message)
        return
      }
      this.log.debug({ err, peer }, 'sync serve failed')
      stream.abort(err as Error)
    } finally {
      this.serving.delete(peer)
    }
  }

  /** Client side: pull what `peer` holds beyond what we hold. Returns how many were accepted. */
  async pull (open: () => Promise<Stream>, peer: PeerId): Promise<{ received: number, accepted: number }> {
    const id = peer.toString()
    const stream = await open()
    const lp = lpStream(stream, { maxDataLength: SYNC_MAX_MESSAGE })
    const signal = AbortSignal.timeout(SYNC_TIMEOUT)
    let received = 0
    let accepted = 0
    try {
      await lp.write(this.request(), { signal })
      for (;;) {
        const msg = decode((await lp.read({ signal })).subarray()) as { obs?: unknown, done?: unknown }
        if (!Array.isArray(msg.obs) || typeof msg.done !== 'boolean') throw new Error('malformed sync response')
        for (const o of msg.obs) {
          if (!(o instanceof Uint8Array)) throw new Error('malformed sync response')
          received++
          const r = await this.c.receive(o, id)
          if (r.action === 'accept') accepted++
          else if (r.action === 'ignore' && r.reason === 'penalised') throw new Error('sync server penalised for invalid observations')
        }
        if (msg.done || received >= SYNC_MAX_OBSERVATIONS) break
      }
      await stream.close({ signal })
    } catch (err) {
      stream.abort(err as Error)
      throw err
    }
    this.log.info({ peer: id, received, accepted }, 'sync pulled')
    return { received, accepted }
  }

  private request (): Uint8Array {
    const now = this.c.clock.now()
    for (const maxRanges of [SYNC_MAX_RANGES_PER_AUTHOR, 16, 1]) {
      const bytes = encode({ v: 1, have: this.c.seen.ranges(now, SYNC_MAX_AUTHORS, maxRanges, SYNC_MAX_RANGES) })
      if (bytes.length <= SYNC_MAX_MESSAGE) return bytes
    }
    // an over-full request would be refused: asking for everything is correct, only slower
    return encode({ v: 1, have: {} })
  }
}

/** Validate a request, refusing one over the range caps before looking at its ranges. */
export function parseRequest (value: unknown): Have {
  const v = value as { v?: unknown, have?: unknown }
  if (typeof v !== 'object' || v === null || v.v !== 1 || typeof v.have !== 'object' || v.have === null || Array.isArray(v.have)) {
    throw new RequestRefused('malformed', 'malformed sync request')
  }
  const entries = Object.entries(v.have as Record<string, unknown>)
  if (entries.length > SYNC_MAX_AUTHORS) throw new RequestRefused('too-many-ranges', `sync request names ${entries.length} authors, over ${SYNC_MAX_AUTHORS}`)
  let total = 0
  for (const [, ranges] of entries) {
    if (!Array.isArray(ranges)) throw new RequestRefused('malformed', 'malformed sync request')
    if (ranges.length > SYNC_MAX_RANGES_PER_AUTHOR) throw new RequestRefused('too-many-ranges', `sync request has ${ranges.length} ranges for one author, over ${SYNC_MAX_RANGES_PER_AUTHOR}`)
    total += ranges.length
    if (total > SYNC_MAX_RANGES) throw new RequestRefused('too-many-ranges', `sync request has over ${SYNC_MAX_RANGES} ranges`)
  }
  // null prototype: author keys come from the network (`__proto__` must stay a plain key)
  const have: Have = Object.create(null)
  for (const [author, ranges] of entries) {
    have[author] = (ranges as unknown[]).filter((r): r is [number, number] =>
      Array.isArray(r) && r.length === 2 && Number.isSafeInteger(r[0]) && Number.isSafeInteger(r[1]))
  }
  return have
}

import { decode, encode } from 'cborg'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { Logger } from '../common/logger.ts'
import type { Store } from '../store/index.ts'
import type { Clock } from '../common/clock.ts'
import type { SeenCache, StoredObservation } from './dedupe.ts'
import type { ReceiveResult } from './receive.ts'

/**
 * `/palisade/sync/1` — pull catch-up after a connect (DESIGN.md "Sync"). The puller sends what it
 * holds per author (seq ranges: a high-water mark that also names its gaps); the server answers
 * with the signed observations it holds beyond them, still inside the window, in batches, then
 * `done`. Every observation goes through the same receive path as gossip, signature included.
 * Each side of a new connection pulls once, so both catch up.
 *
 *   request  = cbor { v: 1, have: { <author>: [[from, to], …] } }
 *   response = cbor { obs: [bytes, …], done: bool }   (repeated until done)
 */
export const SYNC_PROTOCOL = '/palisade/sync/1'
export const SYNC_BATCH = 500
export const SYNC_MAX_MESSAGE = 1024 * 1024
export const SYNC_MAX_OBSERVATIONS = 100_000
const SYNC_TIMEOUT = 60_000

type Have = Record<string, Array<[number, number]>>

export interface SyncComponents {
  store: Store
  clock: Clock
  seen: SeenCache
  logger: Logger
  receive (bytes: Uint8Array, from: string): Promise<ReceiveResult>
}

export class Sync {
  private readonly c: SyncComponents
  private readonly log: Logger

  constructor (components: SyncComponents) {
    this.c = components
    this.log = components.logger.child({ component: 'federation-sync' })
  }

  /** Server side: answer one pull. */
  async serve (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    const lp = lpStream(stream, { maxDataLength: SYNC_MAX_MESSAGE })
    try {
      const signal = AbortSignal.timeout(SYNC_TIMEOUT)
      const have = parseRequest(decode((await lp.read({ signal })).subarray()))
      const keys = this.c.seen.missing(have, this.c.clock.now()).slice(0, SYNC_MAX_OBSERVATIONS)
      let sent = 0
      for (let i = 0; i < keys.length; i += SYNC_BATCH) {
        const vals = await Promise.all(keys.slice(i, i + SYNC_BATCH).map(async k => await this.c.store.get<StoredObservation>('observations', k)))
        const obs = vals.filter(v => v !== undefined).map(v => Uint8Array.from(Buffer.from(v.hex, 'hex')))
        if (obs.length === 0) continue
        await lp.write(encode({ obs, done: false }), { signal })
        sent += obs.length
      }
      await lp.write(encode({ obs: [], done: true }), { signal })
      await stream.close({ signal })
      this.log.debug({ peer, sent }, 'sync served')
    } catch (err) {
      this.log.debug({ err, peer }, 'sync serve failed')
      stream.abort(err as Error)
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
          if ((await this.c.receive(o, id)).action === 'accept') accepted++
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
    for (const maxRanges of [256, 16, 1]) {
      const bytes = encode({ v: 1, have: this.c.seen.ranges(now, 10_000, maxRanges) })
      if (bytes.length <= SYNC_MAX_MESSAGE) return bytes
    }
    // an over-full request would be refused: asking for everything is correct, only slower
    return encode({ v: 1, have: {} })
  }
}

function parseRequest (value: unknown): Have {
  const v = value as { v?: unknown, have?: unknown }
  if (typeof v !== 'object' || v === null || v.v !== 1 || typeof v.have !== 'object' || v.have === null) throw new Error('malformed sync request')
  // null prototype: author keys come from the network (`__proto__` must stay a plain key)
  const have: Have = Object.create(null)
  for (const [author, ranges] of Object.entries(v.have as Record<string, unknown>)) {
    if (!Array.isArray(ranges)) throw new Error('malformed sync request')
    have[author] = ranges.filter((r): r is [number, number] =>
      Array.isArray(r) && r.length === 2 && Number.isSafeInteger(r[0]) && Number.isSafeInteger(r[1]))
  }
  return have
}

import { TokenBuckets } from '../common/token-buckets.ts'

/**
 * Per-author report caps: `perHour` reports, refilled continuously, on the shared token buckets
 * (src/common/token-buckets.ts: bounded map, least recently touched author dropped when full — its
 * bucket restarts full, which only ever errs towards accepting a report from a trusted peer).
 */
export class RateBuckets {
  private readonly buckets: TokenBuckets

  constructor (perHour: number, maxAuthors = 10_000) {
    this.buckets = new TokenBuckets({ burst: perHour, perSecond: perHour / 3600, maxKeys: maxAuthors })
  }

  take (author: string, now: number): boolean {
    return this.buckets.take(author, now)
  }

  forget (author: string): void {
    this.buckets.forget(author)
  }
}

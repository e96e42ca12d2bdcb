/**
 * Per-author token buckets: `perHour` reports, refilled continuously. The map is bounded; when
 * full, the least recently touched author is dropped (its bucket restarts full, which only ever
 * errs towards accepting a report from a trusted peer).
 */
export class RateBuckets {
  private readonly buckets = new Map<string, { tokens: number, at: number }>()
  private readonly perHour: number
  private readonly maxAuthors: number

  constructor (perHour: number, maxAuthors = 10_000) {
    this.perHour = perHour
    this.maxAuthors = maxAuthors
  }

  take (author: string, now: number): boolean {
    let b = this.buckets.get(author)
    if (b === undefined) {
      b = { tokens: this.perHour, at: now }
      if (this.buckets.size >= this.maxAuthors) {
        const oldest = this.buckets.keys().next()
        if (oldest.done !== true) this.buckets.delete(oldest.value)
      }
    } else {
      this.buckets.delete(author)
      const elapsed = Math.max(0, now - b.at)
      b.tokens = Math.min(this.perHour, b.tokens + elapsed * this.perHour / 3_600_000)
      b.at = now
    }
    this.buckets.set(author, b)
    if (b.tokens < 1) return false
    b.tokens -= 1
    return true
  }

  forget (author: string): void {
    this.buckets.delete(author)
  }
}

/**
 * The oldest key of a Map used as an LRU (touch = delete + set, so insertion order is recency).
 * `map.keys().next()` on a fresh iterator walks every deleted slot V8 keeps until it rehashes:
 * under a flood of distinct IPs each eviction cost O(deleted) and 1,000,000 addresses took a
 * minute. One long-lived iterator remembers where it was; V8 keeps a live iterator valid across
 * inserts, deletes and rehashes, and it still yields live keys in insertion order.
 */
export class OldestKey<K> {
  private readonly map: Map<K, unknown>
  private iter: Iterator<K> | undefined

  constructor (map: Map<K, unknown>) {
    this.map = map
  }

  /** the least recently inserted live key, or undefined when the map is empty */
  next (): K | undefined {
    if (this.iter === undefined) this.iter = this.map.keys()
    let r = this.iter.next()
    if (r.done === true) {
      // the iterator ran off the end (everything it knew was evicted or touched): start over
      this.iter = this.map.keys()
      r = this.iter.next()
    }
    return r.done === true ? undefined : r.value
  }

  /** after the map was rebuilt wholesale */
  reset (): void {
    this.iter = undefined
  }
}

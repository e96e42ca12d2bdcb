export const NONE = -1

/**
 * The storage under Counters: one slot per (filter, key) in typed arrays, with no object per
 * counter (under a flood of a million distinct addresses a Map of entries with a times array each
 * churned the old generation and held hundreds of MB). A slot has its filter number, its key (an
 * IPv4 address as a 32-bit number, anything else as a string copied out of the line: a slice would
 * keep the whole read chunk alive), a place in one LRU list (least recently updated first), flags
 * for its subclass, and its match times as a linked list of nodes in one pool. Freed slots and
 * nodes go to free lists; arrays grow by doubling and are never shrunk.
 */
export class CounterSlots {
  protected cap = 0
  protected used = 0
  protected freeSlot = NONE
  protected count0 = 0
  protected fidx = new Uint16Array(0)
  protected knum = new Int32Array(0)
  protected kstr: Array<string | undefined> = []
  protected flags = new Uint8Array(0)
  protected prev = new Int32Array(0)
  protected next = new Int32Array(0)
  protected head = NONE
  protected tail = NONE
  protected thead = new Int32Array(0)
  protected tlen = new Uint32Array(0)

  protected tcap = 0
  protected tused = 0
  protected tfree = NONE
  protected tval = new Float64Array(0)
  protected tnext = new Int32Array(0)

  /** string keys per filter number; IPv4 keys are found through `table` */
  protected readonly index: Array<Map<string, number>> = []
  /**
   * Open addressing (linear probing, at most half full) from (filter number, IPv4 key) to slot, the
   * key kept beside its slot so that a probe touches one cache line: a Map churned by a flood (an
   * insert and a delete per line) rehashed and allocated all the time.
   */
  protected table = new Int32Array(0)
  protected mask = 0

  /** the live slot of (filter number, key), or NONE */
  protected slotOf (fi: number, code: number, key: string): number {
    return code >= 0 ? this.find(fi, code | 0) : (this.index[fi].get(key) ?? NONE)
  }

  /** the slot's key, its times and its place in the LRU list go back to the pools */
  protected free (slot: number): void {
    const s = this.kstr[slot]
    if (s === undefined) this.remove(slot)
    else this.index[this.fidx[slot]].delete(s)
    this.kstr[slot] = undefined
    this.expire(slot, Infinity)
    this.flags[slot] = 0
    this.unlink(slot)
    this.next[slot] = this.freeSlot
    this.freeSlot = slot
    this.count0--
  }

  /** the oldest match time still counted */
  protected since (slot: number): number {
    let since = Infinity
    for (let n = this.thead[slot]; n !== NONE; n = this.tnext[n]) since = Math.min(since, this.tval[n])
    return since
  }

  protected alloc (fi: number, code: number, key: string): number {
    let slot = this.freeSlot
    if (slot !== NONE) {
      this.freeSlot = this.next[slot]
    } else {
      if (this.used === this.cap) this.grow()
      slot = this.used++
    }
    this.fidx[slot] = fi
    this.flags[slot] = 0
    this.thead[slot] = NONE
    this.tlen[slot] = 0
    if (code >= 0) {
      this.knum[slot] = code | 0
      this.kstr[slot] = undefined
      this.insert(slot)
    } else {
      const own = (' ' + key).slice(1)
      this.kstr[slot] = own
      this.index[fi].set(own, slot)
    }
    this.linkNewest(slot)
    this.count0++
    return slot
  }

  protected grow (): void {
    const cap = Math.max(1024, this.cap * 2)
    const g = <T extends Uint8Array | Uint16Array | Int32Array | Uint32Array>(a: T, Make: new (n: number) => T): T => {
      const b = new Make(cap)
      b.set(a as never)
      return b
    }
    this.fidx = g(this.fidx, Uint16Array)
    this.knum = g(this.knum, Int32Array)
    this.flags = g(this.flags, Uint8Array)
    this.prev = g(this.prev, Int32Array)
    this.next = g(this.next, Int32Array)
    this.thead = g(this.thead, Int32Array)
    this.tlen = g(this.tlen, Uint32Array)
    this.cap = cap
    // two buckets per slot (at most half full), each bucket the IPv4 key and its slot + 1
    this.table = new Int32Array(cap * 4)
    this.mask = cap * 2 - 1
    for (let s = this.head; s !== NONE; s = this.next[s]) if (this.kstr[s] === undefined) this.insert(s)
  }

  protected hash (code: number): number {
    const h = Math.imul(code, 0x85ebca6b)
    return (h ^ (h >>> 15)) & this.mask
  }

  protected find (fi: number, code: number): number {
    if (this.cap === 0) return NONE
    const t = this.table
    for (let i = this.hash(code); ; i = (i + 1) & this.mask) {
      const v = t[2 * i + 1]
      if (v === 0) return NONE
      if (t[2 * i] === code && this.fidx[v - 1] === fi) return v - 1
    }
  }

  protected insert (slot: number): void {
    const t = this.table
    const code = this.knum[slot]
    let i = this.hash(code)
    while (t[2 * i + 1] !== 0) i = (i + 1) & this.mask
    t[2 * i] = code
    t[2 * i + 1] = slot + 1
  }

  /** linear probing's deletion: later entries of the run move back, no tombstones */
  protected remove (slot: number): void {
    const t = this.table
    let i = this.hash(this.knum[slot])
    while (t[2 * i + 1] !== slot + 1) i = (i + 1) & this.mask
    for (let j = (i + 1) & this.mask; ; j = (j + 1) & this.mask) {
      const v = t[2 * j + 1]
      if (v === 0) break
      const k = this.hash(t[2 * j])
      // an entry whose home lies cyclically in (i, j] stays where it is
      if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue
      t[2 * i] = t[2 * j]
      t[2 * i + 1] = v
      i = j
    }
    t[2 * i + 1] = 0
  }

  protected linkNewest (slot: number): void {
    this.prev[slot] = this.tail
    this.next[slot] = NONE
    if (this.tail === NONE) this.head = slot
    else this.next[this.tail] = slot
    this.tail = slot
  }

  protected unlink (slot: number): void {
    const p = this.prev[slot]
    const n = this.next[slot]
    if (p === NONE) this.head = n
    else this.next[p] = n
    if (n === NONE) this.tail = p
    else this.prev[n] = p
  }

  /** append a time (kept in arrival order) */
  protected pushTime (slot: number, t: number): void {
    let node = this.tfree
    if (node !== NONE) {
      this.tfree = this.tnext[node]
    } else {
      if (this.tused === this.tcap) {
        const cap = Math.max(1024, this.tcap * 2)
        const v = new Float64Array(cap)
        v.set(this.tval)
        const nx = new Int32Array(cap)
        nx.set(this.tnext)
        this.tval = v
        this.tnext = nx
        this.tcap = cap
      }
      node = this.tused++
    }
    this.tval[node] = t
    this.tnext[node] = NONE
    let last = this.thead[slot]
    if (last === NONE) {
      this.thead[slot] = node
    } else {
      while (this.tnext[last] !== NONE) last = this.tnext[last]
      this.tnext[last] = node
    }
    this.tlen[slot]++
  }

  /** drop the times at or before `from` (wherever they are: times of one key need not be in order) */
  protected expire (slot: number, from: number): void {
    let prev = NONE
    let node = this.thead[slot]
    while (node !== NONE) {
      const nx = this.tnext[node]
      if (this.tval[node] <= from) {
        if (prev === NONE) this.thead[slot] = nx
        else this.tnext[prev] = nx
        this.tnext[node] = this.tfree
        this.tfree = node
        this.tlen[slot]--
      } else {
        prev = node
      }
      node = nx
    }
  }

  protected keyOf (slot: number): string {
    const s = this.kstr[slot]
    if (s !== undefined) return s
    const n = this.knum[slot] >>> 0
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
  }
}

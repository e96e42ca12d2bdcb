import { ErrorCodes, palisadeError } from '../common/errors.ts'
import { parseSubject } from '../common/ip.ts'
import type { Logger } from '../common/logger.ts'
import { isEd25519PeerId } from './keys.ts'
import type { TrustConfig } from '../config/types.ts'
import type {
  AddOptions,
  ReconfigureResult,
  PeerStats,
  RemoveResult,
  TrustChange,
  TrustedPeer,
  TrustPolicy,
  TrustPolicyComponents,
  TrustPolicyInit
} from './index.ts'
import { RateBuckets } from './rate.ts'

/** What the `peers` store area holds per key. */
type PeerRecord =
  | { state: 'trusted', weight: number, name?: string, shadow: boolean, at: number }
  | { state: 'revoked', at: number }

/** stats are kept for at most this many keys (untrusted authors included), oldest dropped first */
const MAX_STATS = 10_000
/** known addresses per key, most recent first */
const MAX_ADDRESSES = 8
const ADDRESSES_KEY = 'trust.addresses'
const ADDR_RE = /^\/(ip4|ip6)\/([^/]+)\/tcp\/(\d{1,5})(\/p2p\/[1-9A-HJ-NP-Za-km-z]+)?$/

/** `/ip4|ip6/ADDRESS/tcp/PORT[/p2p/KEY]` with a valid address of the named family, else null */
function parseAddr (a: string): RegExpExecArray | null {
  const m = ADDR_RE.exec(a)
  if (m === null) return null
  const ip = parseSubject(m[2])
  return ip !== null && !ip.isPrefix && ip.family === (m[1] === 'ip4' ? 4 : 6) && Number(m[3]) <= 65535 ? m : null
}

export class Policy implements TrustPolicy {
  private init: TrustPolicyInit
  private readonly components: TrustPolicyComponents
  private readonly log: Logger
  private readonly config = new Map<string, TrustedPeer>()
  private readonly runtime = new Map<string, TrustedPeer>()
  private readonly revokedKeys = new Set<string>()
  private readonly peerStats = new Map<string, PeerStats>()
  private readonly listeners = new Set<(c: TrustChange) => void>()
  private rate: RateBuckets
  private readonly known = new Map<string, string[]>()
  private persisting: Promise<void> = Promise.resolve()

  constructor (init: TrustPolicyInit, components: TrustPolicyComponents) {
    this.init = init
    this.components = components
    this.log = components.logger.child({ component: 'trust' })
    this.rate = new RateBuckets(init.config.maxReportsPerPeerPerHour)
    for (const p of init.config.peers) {
      if (!isEd25519PeerId(p.key)) throw badKey(p.key)
      this.config.set(p.key, {
        key: p.key,
        ...(p.name === undefined ? {} : { name: p.name }),
        weight: p.weight,
        shadow: p.shadow,
        source: 'config'
      })
    }
  }

  async start (): Promise<void> {
    this.runtime.clear()
    this.revokedKeys.clear()
    for await (const [key, rec] of this.components.store.entries<PeerRecord>('peers')) {
      if (rec.state === 'revoked') this.revokedKeys.add(key)
      else this.runtime.set(key, toPeer(key, rec))
    }
    this.known.clear()
    const saved = await this.components.store.get<Record<string, string[]>>('meta', ADDRESSES_KEY)
    for (const [key, list] of Object.entries(saved ?? {})) {
      if (Array.isArray(list)) { this.known.set(key, list.filter(a => typeof a === 'string' && parseAddr(a) !== null).slice(0, MAX_ADDRESSES)) }
    }
    this.log.info(
      { config: this.config.size, runtime: this.runtime.size, revoked: this.revokedKeys.size },
      'trust policy loaded'
    )
  }

  async stop (): Promise<void> {}

  /**
   * A reload: the configured peers and the hourly cap are replaced (every key is checked before
   * anything changes). Runtime entries and revocations stay: a revocation must outlive any
   * configuration. Listeners hear of each configured peer that appeared, changed or went.
   */
  reconfigure (config: TrustConfig): ReconfigureResult {
    const next = new Map<string, TrustedPeer>()
    for (const p of config.peers) {
      if (!isEd25519PeerId(p.key)) throw badKey(p.key)
      next.set(p.key, {
        key: p.key,
        ...(p.name === undefined ? {} : { name: p.name }),
        weight: p.weight,
        shadow: p.shadow,
        source: 'config'
      })
    }
    const out: ReconfigureResult = { added: [], removed: [], changed: [] }
    for (const k of this.config.keys()) if (!next.has(k)) out.removed.push(k)
    for (const [k, p] of next) {
      const before = this.config.get(k)
      if (before === undefined) out.added.push(k)
      else if (before.weight !== p.weight || before.shadow !== p.shadow || before.name !== p.name) out.changed.push(k)
    }
    if (config.maxReportsPerPeerPerHour !== this.init.config.maxReportsPerPeerPerHour) {
      this.rate = new RateBuckets(config.maxReportsPerPeerPerHour)
    }
    this.init = { ...this.init, config }
    this.config.clear()
    for (const [k, p] of next) this.config.set(k, p)
    for (const key of out.removed) if (!this.runtime.has(key)) this.emit({ kind: 'remove', key })
    for (const key of [...out.added, ...out.changed]) {
      const peer = this.get(key)
      if (peer !== undefined) this.emit({ kind: 'add', peer })
    }
    if (out.added.length + out.removed.length + out.changed.length > 0) { this.log.info(out, 'trust: configured peers reloaded') }
    return out
  }

  get (key: string): TrustedPeer | undefined {
    if (this.revokedKeys.has(key)) return undefined
    return this.runtime.get(key) ?? this.config.get(key)
  }

  isRevoked (key: string): boolean { return this.revokedKeys.has(key) }

  async add (key: string, opts: AddOptions = {}): Promise<TrustedPeer> {
    if (!isEd25519PeerId(key)) throw badKey(key)
    const weight = opts.weight ?? 1
    if (!Number.isFinite(weight) || weight < 0) { throw palisadeError(ErrorCodes.TRUST_BAD_KEY, `weight must be a number ≥ 0, got ${weight}`) }
    for (const a of opts.addrs ?? []) {
      const m = parseAddr(a)
      if (m === null || (m[4] !== undefined && m[4] !== `/p2p/${key}`)) {
        throw palisadeError(ErrorCodes.TRUST_BAD_KEY, `--addr ${JSON.stringify(a)} is not a multiaddr of this peer such as /ip4/203.0.113.7/tcp/4711`)
      }
    }
    const rec: PeerRecord = {
      state: 'trusted',
      weight,
      shadow: opts.shadow ?? false,
      at: this.components.clock.now(),
      ...(opts.name === undefined ? {} : { name: opts.name })
    }
    await this.components.store.put('peers', key, rec)
    const peer = toPeer(key, rec)
    this.revokedKeys.delete(key)
    this.runtime.set(key, peer)
    for (const a of [...(opts.addrs ?? [])].reverse()) this.remember(key, a.replace(/\/p2p\/.*$/, ''))
    if ((opts.addrs ?? []).length > 0) await this.persistAddresses()
    this.log.info({ peer: key, name: opts.name, weight }, 'peer trusted')
    this.emit({ kind: 'add', peer })
    return peer
  }

  async remove (key: string): Promise<RemoveResult> {
    const removed = this.runtime.has(key)
    if (removed) await this.components.store.del('peers', key)
    this.runtime.delete(key)
    this.rate.forget(key)
    const stillInConfig = this.config.has(key) && !this.revokedKeys.has(key)
    if (!removed && !stillInConfig) throw palisadeError(ErrorCodes.TRUST_UNKNOWN_PEER, `peer ${key} is not trusted`)
    this.log.info({ peer: key, stillInConfig }, 'peer removed')
    this.emit({ kind: 'remove', key })
    return { removed, stillInConfig }
  }

  async revoke (key: string): Promise<void> {
    if (!isEd25519PeerId(key)) throw badKey(key)
    await this.components.store.put('peers', key, {
      state: 'revoked',
      at: this.components.clock.now()
    } satisfies PeerRecord)
    this.runtime.delete(key)
    this.revokedKeys.add(key)
    this.rate.forget(key)
    this.log.warn({ peer: key }, 'peer revoked')
    this.emit({ kind: 'revoke', key })
  }

  list (): TrustedPeer[] {
    const out = new Map<string, TrustedPeer>()
    for (const [k, p] of this.config) out.set(k, p)
    for (const [k, p] of this.runtime) out.set(k, p)
    for (const k of this.revokedKeys) out.delete(k)
    return [...out.values()].sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  }

  revoked (): string[] { return [...this.revokedKeys].sort() }

  allowReport (author: string, now: number): boolean {
    return this.rate.take(author, now)
  }

  recordAccepted (author: string, now: number): void {
    const s = this.statsFor(author)
    s.accepted++
    s.lastReport = now
  }

  recordRejected (author: string, reason: string, now: number): void {
    const s = this.statsFor(author)
    s.rejected++
    s.lastReport = now
    s.reasons[reason] = (s.reasons[reason] ?? 0) + 1
  }

  stats (key: string): PeerStats | undefined {
    const s = this.peerStats.get(key)
    return s === undefined ? undefined : { ...s, reasons: { ...s.reasons } }
  }

  addresses (key: string): string[] { return [...(this.known.get(key) ?? [])] }

  noteAddress (key: string, multiaddr: string): boolean {
    const a = multiaddr.replace(/\/p2p\/.*$/, '')
    if (this.get(key) === undefined || parseAddr(a) === null || this.known.get(key)?.[0] === a) return false
    const isNew = this.known.get(key)?.some(x => hostOf(x) === hostOf(a)) !== true
    this.remember(key, a)
    void this.persistAddresses()
    return isNew
  }

  /** one entry per host: an inbound connection's port is ephemeral, the address is what matters */
  private remember (key: string, addr: string): void {
    const list = (this.known.get(key) ?? []).filter(x => hostOf(x) !== hostOf(addr))
    list.unshift(addr)
    this.known.set(key, list.slice(0, MAX_ADDRESSES))
  }

  /** writes are serialised: the last one holds the newest map */
  private async persistAddresses (): Promise<void> {
    const run = this.persisting.then(async () => {
      await this.components.store.put('meta', ADDRESSES_KEY, Object.fromEntries(this.known))
    })
    this.persisting = run.catch(err => { this.log.warn({ err }, 'cannot store known peer addresses') })
    await this.persisting
  }

  onChange (listener: (change: TrustChange) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  private statsFor (key: string): PeerStats {
    let s = this.peerStats.get(key)
    if (s === undefined) {
      if (this.peerStats.size >= MAX_STATS) {
        const oldest = this.peerStats.keys().next()
        if (oldest.done !== true) this.peerStats.delete(oldest.value)
      }
      s = { accepted: 0, rejected: 0, reasons: {} }
      this.peerStats.set(key, s)
    }
    return s
  }

  private emit (change: TrustChange): void {
    for (const l of this.listeners) {
      try {
        l(change)
      } catch (err) {
        this.log.error({ err }, 'trust change listener failed')
      }
    }
  }
}

function hostOf (multiaddr: string): string {
  return multiaddr.split('/').slice(0, 3).join('/')
}

function toPeer (key: string, rec: Extract<PeerRecord, { state: 'trusted' }>): TrustedPeer {
  return {
    key,
    ...(rec.name === undefined ? {} : { name: rec.name }),
    weight: rec.weight,
    shadow: rec.shadow,
    source: 'runtime'
  }
}

function badKey (key: string): Error {
  return palisadeError(ErrorCodes.TRUST_BAD_KEY, `${JSON.stringify(key)} is not an Ed25519 libp2p peer id (expected 12D3KooW…, as printed by \`palisade peer id\`)`)
}

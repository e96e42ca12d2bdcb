import { peerIdFromString } from '@libp2p/peer-id'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Connection, IdentifyResult, PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../common/logger.ts'
import type { Counter } from '../control/metrics-types.ts'
import type { BanObservation, Federation, FederationComponents, FederationInit, PeerStatus } from './index.ts'
import { loadIdentity, type Identity } from './identity.ts'
import { SeenCache } from './dedupe.ts'
import { Receiver } from './receive.ts'
import { Publisher, type Outgoing } from './publish.ts'
import { Sync, SYNC_PROTOCOL } from './sync.ts'
import { createGater } from './gater.ts'
import { installValidator, topicOf } from './gossip.ts'
import { createNode, parseAddrs, type PalisadeNode } from './node.ts'
import { Redialer } from './redial.ts'
import { PeerGuard } from './peer-guard.ts'

/** expired (author, seq) entries are swept this often, ms */
const SWEEP_INTERVAL = 3_600_000

export class FederationNode implements Federation {
  private readonly init: FederationInit
  private readonly c: FederationComponents
  private readonly log: Logger
  private readonly topic: string
  private readonly bootstrap: Multiaddr[]
  private readonly rejected: Counter | undefined
  private readonly published: Counter | undefined
  private identity: Identity | undefined
  private node: PalisadeNode | undefined
  private seen: SeenCache | undefined
  private receiver: Receiver | undefined
  private publisher: Publisher | undefined
  private redialer: Redialer | undefined
  private readonly guard = new PeerGuard()
  private readonly lastMessage = new Map<string, number>()
  /** peers whose connection got as far as identify (admitted by them, not just dialled) */
  private readonly admitted = new Set<string>()
  /** peers a sync pull is running from; true when another was asked for meanwhile */
  private readonly pulling = new Map<string, boolean>()
  private readonly lastSync = new Map<string, NonNullable<PeerStatus['lastSync']>>()
  private unsubscribe: (() => void) | undefined
  private sweepTimer: { cancel(): void } | undefined

  constructor (init: FederationInit, components: FederationComponents) {
    this.init = init
    this.c = components
    this.log = components.logger.child({ component: 'federation' })
    this.topic = topicOf(init.config.collective)
    this.bootstrap = parseAddrs(init.config.bootstrap)
    this.rejected = components.metrics?.counter('palisade_federation_rejected_total', 'observations refused, by reason', ['reason'])
    this.published = components.metrics?.counter('palisade_federation_published_total', 'observations this node signed and published', ['kind'])
  }

  get peerId (): string {
    if (this.identity === undefined) throw new Error('federation not started')
    return this.identity.id
  }

  async start (): Promise<void> {
    const { config, trust } = this.init
    const identity = this.identity = await loadIdentity(this.init.stateDir)
    const seen = this.seen = new SeenCache(this.c.store)
    await seen.load(this.c.clock.now(), trust.window)
    const penalties = this.c.metrics?.counter('palisade_federation_penalties_total', 'peers disconnected for sending invalid observations')
    const receiver = this.receiver = new Receiver({
      self: identity.id,
      window: trust.window,
      maxClockSkew: config.maxClockSkew,
      honorRetractions: trust.honorRetractions,
      allow: this.init.allow,
      ...(trust.minPrefix4 === undefined ? {} : { minPrefix4: trust.minPrefix4 }),
      ...(trust.minPrefix6 === undefined ? {} : { minPrefix6: trust.minPrefix6 })
    }, {
      ...this.c,
      seen,
      guard: this.guard,
      onPenalty: (peer) => {
        penalties?.inc()
        this.node?.hangUp(peerIdFromString(peer)).catch(() => {})
      },
      ...(this.rejected === undefined ? {} : { rejected: this.rejected, accepted: this.c.metrics?.counter('palisade_federation_accepted_total', 'observations accepted, by kind', ['kind']) })
    })
    await receiver.load()
    this.publisher = new Publisher({ identity, window: trust.window }, { store: this.c.store, seen })
    const penalised = (id: string): boolean => this.guard.isPenalised(id, this.c.clock.now())
    const syncRefused = this.c.metrics?.counter('palisade_federation_sync_refused_total', 'sync requests refused or cut short, by reason', ['reason'])
    const sync = new Sync({
      store: this.c.store,
      clock: this.c.clock,
      seen,
      logger: this.c.logger,
      // weight-0 members sync too (trust/README.md); strangers of an open collective do not
      admitted: (peer) => this.c.trustPolicy.get(peer) !== undefined && !penalised(peer),
      ...(syncRefused === undefined ? {} : { refused: syncRefused }),
      // per-peer attribution for `peer list`; strangers are only counted in the metrics
      onRefuse: (peer, reason) => {
        if (this.c.trustPolicy.get(peer) !== undefined) { this.c.trustPolicy.recordRejected(peer, `sync-${reason}`, this.c.clock.now()) }
      },
      receive: async (b, from) => await receiver.receive(b, from)
    })

    const memberHosts = [
      ...new Set(
        [...config.bootstrap, ...this.c.trustPolicy.list().flatMap(p => this.c.trustPolicy.addresses(p.key))]
          .map(a => /^\/(ip[46])\/([^/]+)\//.exec(a))
          .filter(m => m !== null)
          .map(m => `/${m[1]}/${m[2]}/ipcidr/${m[1] === 'ip4' ? 32 : 128}`)
      )
    ]
    const node = (this.node = await createNode(
      config,
      identity,
      createGater(config.open, this.c.trustPolicy, identity.id, penalised),
      { allow: memberHosts }
    ))
    await node.handle(SYNC_PROTOCOL, async (stream, connection) => { await sync.serve(stream, connection) })
    installValidator(node.services.pubsub, this.topic, async (bytes, from) => {
      const id = from.toString()
      this.noteMessage(id)
      return await receiver.receive(bytes, id, { budgeted: true })
    })
    const pull = (peerId: PeerId): void => {
      const id = peerId.toString()
      if (!config.open && this.c.trustPolicy.get(id) === undefined) return
      // one pull at a time per peer (the server refuses a second): a request meanwhile runs once after
      if (this.pulling.has(id)) { this.pulling.set(id, true); return }
      this.pulling.set(id, false)
      sync.pull(async () => await node.dialProtocol(peerId, SYNC_PROTOCOL), peerId)
        .then(r => { this.noteSync(id, { at: this.c.clock.now(), ...r }) }, err => {
          this.noteSync(id, { at: this.c.clock.now(), received: 0, accepted: 0, failed: (err as Error).message })
          this.log.debug({ err, peer: id }, 'sync pull failed')
        })
        .finally(() => {
          const again = this.pulling.get(id) === true
          this.pulling.delete(id)
          if (again && this.node !== undefined) pull(peerId)
        })
    }
    node.addEventListener('peer:identify', (evt: CustomEvent<IdentifyResult>) => {
      this.admitted.add(evt.detail.peerId.toString())
      if (evt.detail.protocols.includes(SYNC_PROTOCOL)) pull(evt.detail.peerId)
    })
    // what the peer published between the connect and learning that we subscribe reached us by
    // no gossip: pull once more when its subscription arrives
    node.services.pubsub.addEventListener('subscription-change', (evt) => {
      const id = evt.detail.peerId.toString()
      if (
        this.c.trustPolicy.get(id) !== undefined &&
        evt.detail.subscriptions.some(s => s.topic === this.topic && s.subscribe)
      ) { pull(evt.detail.peerId) }
    })
    this.unsubscribe = this.c.trustPolicy.onChange(change => {
      receiver.forgetKeys()
      if (change.kind === 'add') {
        // a new member is dialled at once when an address is known, not at the next redial round
        void this.dialMember(change.peer.key)
      } else if (!config.open && this.c.trustPolicy.get(change.key) === undefined) {
        node.hangUp(peerIdFromString(change.key)).catch(() => {})
      }
      this.c.onMembersChanged?.()
    })
    node.addEventListener('connection:open', (evt: CustomEvent<Connection>) => {
      const id = evt.detail.remotePeer.toString()
      // where a member really connects from (observed, not claimed) is never banned from now on
      if (
        this.c.trustPolicy.get(id) !== undefined &&
        this.c.trustPolicy.noteAddress(id, evt.detail.remoteAddr.toString())
      ) { this.c.onMembersChanged?.() }
    })
    node.addEventListener('peer:disconnect', (evt: CustomEvent<PeerId>) => {
      const id = evt.detail.toString()
      // a member that dropped (a partition, a restart) is dialled again at once and every second
      // for a while; one whose connection never got past the handshake (it does not trust us)
      // waits for the normal rounds
      if (this.admitted.delete(id) && this.c.trustPolicy.get(id) !== undefined && !penalised(id)) {
        this.redialer?.lost(id)
      }
    })
    await node.start()
    node.services.pubsub.subscribe(this.topic)
    this.redialer = new Redialer(
      { node, bootstrap: this.bootstrap, open: config.open, interval: config.redialInterval },
      { trust: this.c.trustPolicy, clock: this.c.clock, logger: this.c.logger }
    )
    this.redialer.start()
    this.scheduleSweep()
    this.log.info({ peer: identity.id, addresses: this.addresses(), topic: this.topic }, 'federation started')
  }

  async stop (): Promise<void> {
    this.redialer?.stop()
    this.sweepTimer?.cancel()
    this.unsubscribe?.()
    const node = this.node
    this.node = undefined
    await node?.stop()
  }

  addresses (): string[] {
    return this.node?.getMultiaddrs().map(a => a.toString()) ?? []
  }

  async publishBan (b: BanObservation): Promise<void> {
    await this.publish({ kind: 'ban', ...b })
  }

  async publishRetract (ip: string, filter: string): Promise<void> {
    await this.publish({ kind: 'retract', ip, filter, count: 1, observedAt: this.c.clock.now(), ttl: 0 })
  }

  peers (): PeerStatus[] {
    const node = this.node
    const now = this.c.clock.now()
    return this.c.trustPolicy.list().map(p => {
      const conns = node?.getConnections(peerIdFromString(p.key)) ?? []
      const last = this.lastMessage.get(p.key)
      const penalty = this.guard.penaltyOf(p.key)
      return {
        key: p.key,
        connected: conns.length > 0,
        addresses: conns.map(c => c.remoteAddr.toString()),
        ...(last === undefined ? {} : { lastMessage: last }),
        ...(this.lastSync.has(p.key) ? { lastSync: this.lastSync.get(p.key)! } : {}),
        ...(penalty === undefined || penalty.until <= now ? {} : { penalisedUntil: penalty.until })
      }
    })
  }

  memberAddresses (): string[] {
    const out = new Set<string>()
    for (const p of this.c.trustPolicy.list()) {
      for (const a of this.c.trustPolicy.addresses(p.key)) out.add(a)
      for (const c of this.node?.getConnections(peerIdFromString(p.key)) ?? []) out.add(c.remoteAddr.toString())
    }
    return [...out]
  }

  /** Dial a member now, with the addresses `peer trust add --addr` gave (added to the peer store). */
  private async dialMember (key: string): Promise<void> {
    const node = this.node
    if (node === undefined) return
    const addrs = this.c.trustPolicy.addresses(key).map(a => multiaddr(a))
    if (addrs.length > 0) await node.peerStore.merge(peerIdFromString(key), { multiaddrs: addrs }).catch(() => {})
    this.redialer?.dialNow(key)
  }

  private noteSync (peer: string, s: NonNullable<PeerStatus['lastSync']>): void {
    if (this.lastSync.size >= 10_000 && !this.lastSync.has(peer)) this.lastSync.clear()
    this.lastSync.set(peer, s)
  }

  private noteMessage (peer: string): void {
    this.lastMessage.delete(peer)
    if (this.lastMessage.size >= 10_000) {
      const oldest = this.lastMessage.keys().next()
      if (oldest.done !== true) this.lastMessage.delete(oldest.value)
    }
    this.lastMessage.set(peer, this.c.clock.now())
  }

  private async publish (out: Outgoing): Promise<void> {
    if (this.node === undefined || this.publisher === undefined) throw new Error('federation not started')
    const { obs, bytes } = await this.publisher.create(out, this.c.clock.now())
    this.published?.inc({ kind: obs.kind })
    try {
      await this.node.services.pubsub.publish(this.topic, bytes)
    } catch (err) {
      // stored already: peers that missed it get it by sync on their next connect
      this.log.warn({ err, ip: obs.ip, seq: obs.seq }, 'observation stored but not gossiped')
    }
  }

  private scheduleSweep (): void {
    this.sweepTimer = this.c.clock.setTimeout(() => {
      this.seen?.sweep(this.c.clock.now()).catch(err => { this.log.warn({ err }, 'observation prune failed') })
      if (this.node !== undefined) this.scheduleSweep()
    }, SWEEP_INTERVAL)
  }
}

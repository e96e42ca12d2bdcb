import { peerIdFromString } from '@libp2p/peer-id'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { IdentifyResult } from '@libp2p/interface'
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
    const receiver = this.receiver = new Receiver({
      self: identity.id,
      window: trust.window,
      maxClockSkew: config.maxClockSkew,
      honorRetractions: trust.honorRetractions,
      allow: this.init.allow
    }, { ...this.c, seen, ...(this.rejected === undefined ? {} : { rejected: this.rejected }) })
    await receiver.load()
    this.publisher = new Publisher({ identity, window: trust.window }, { store: this.c.store, seen })
    const sync = new Sync({ store: this.c.store, clock: this.c.clock, seen, logger: this.c.logger, receive: async (b, from) => await receiver.receive(b, from) })

    const node = this.node = await createNode(config, identity, createGater(config.open, this.c.trustPolicy, identity.id))
    await node.handle(SYNC_PROTOCOL, async (stream, connection) => { await sync.serve(stream, connection) })
    installValidator(node.services.pubsub, this.topic, async (bytes, from) => await receiver.receive(bytes, from.toString()))
    node.addEventListener('peer:identify', (evt: CustomEvent<IdentifyResult>) => {
      const { peerId, protocols } = evt.detail
      if (!protocols.includes(SYNC_PROTOCOL)) return
      if (!config.open && this.c.trustPolicy.get(peerId.toString()) === undefined) return
      sync.pull(async () => await node.dialProtocol(peerId, SYNC_PROTOCOL), peerId)
        .catch(err => { this.log.debug({ err, peer: peerId.toString() }, 'sync pull failed') })
    })
    this.unsubscribe = this.c.trustPolicy.onChange(change => {
      receiver.forgetKeys()
      if (change.kind !== 'add' && !config.open && this.c.trustPolicy.get(change.key) === undefined) {
        node.hangUp(peerIdFromString(change.key)).catch(() => {})
      }
    })
    await node.start()
    node.services.pubsub.subscribe(this.topic)
    this.redialer = new Redialer({ node, bootstrap: this.bootstrap, open: config.open, interval: config.redialInterval },
      { trust: this.c.trustPolicy, clock: this.c.clock, logger: this.c.logger })
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
    return this.c.trustPolicy.list().map(p => {
      const conns = node?.getConnections(peerIdFromString(p.key)) ?? []
      return { key: p.key, connected: conns.length > 0, addresses: conns.map(c => c.remoteAddr.toString()) }
    })
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

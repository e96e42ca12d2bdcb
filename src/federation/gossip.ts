import { createHash } from 'node:crypto'
import { gossipsub, StrictNoSign, TopicValidatorResult, type GossipSub, type Message } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import type { ReceiveResult } from './receive.ts'

export function topicOf (collective: string): string {
  return `/palisade/${collective}/obs/1`
}

/**
 * gossipsub for a small collective (docs/platform-notes.md, libp2p 3): StrictNoSign because observations carry
 * their own author signature and may be relayed by anyone; message id = sha256 of the bytes, so
 * the same signed observation is one message whoever relays it; flood publishing so the origin
 * reaches every member directly. No topic score parameters: a Reject must not prune a relay from
 * the mesh (in a line of three nodes that would partition the collective).
 *
 * No IP colocation penalty: membership is by key, not address. gossipsub's default scores every
 * peer sharing an IP with more than 10 others at -5·(n-10)², below the graylist (-80) from 15
 * peers on; a graylisted peer's RPCs, subscriptions included, are dropped silently and it is left
 * out of the mesh and of flood publishing. Members behind one NAT, or a collective of 20 on one
 * host, then received nothing at all (docs/platform-notes.md, libp2p 3).
 */
export function gossipService (): ReturnType<typeof gossipsub> {
  return gossipsub({
    globalSignaturePolicy: StrictNoSign,
    msgIdFn: (msg) => createHash('sha256').update(msg.data).digest(),
    allowPublishToZeroTopicPeers: true,
    ignoreDuplicatePublishError: true,
    floodPublish: true,
    emitSelf: false,
    scoreParams: { IPColocationFactorWeight: 0 },
    // messages are ≤ 1 KiB; a full RPC of them still fits well under this
    maxInboundDataLength: 1024 * 1024
  })
}

export function toValidatorResult (r: ReceiveResult): TopicValidatorResult {
  if (r.action === 'accept') return TopicValidatorResult.Accept
  if (r.action === 'reject') return TopicValidatorResult.Reject
  return TopicValidatorResult.Ignore
}

/** Route every message on the topic through the receive path before gossipsub relays it (subscribe after start). */
export function installValidator (pubsub: GossipSub, topic: string,
  receive: (bytes: Uint8Array, from: PeerId) => Promise<ReceiveResult>): void {
  pubsub.topicValidators.set(topic, async (from: PeerId, msg: Message) => {
    try {
      return toValidatorResult(await receive(msg.data, from))
    } catch {
      // an internal failure (store closed during stop) must not penalise the relay
      return TopicValidatorResult.Ignore
    }
  })
}

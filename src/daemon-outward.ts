import type { Vote } from './common/model.ts'
import type { FeedServer } from './control/http-server.ts'
import type { Daemon } from './daemon.ts'
import { PublishSink } from './decide/sinks.ts'
import type { Federation } from './federation/index.ts'

/*
 * The daemon's outward stages, each loaded only when the configuration asks for it: libp2p costs
 * ~30 MB of RSS a standalone node does not need, node:http, zlib and the feed's renderers ~3 MB.
 */

/** federation: remote votes into the engine, this node's own bans out to the collective */
export async function startFederation (d: Daemon, onMembersChanged: () => void): Promise<Federation> {
  const c = d.config
  const { createFederation } = await import('./federation/index.ts')
  const federation = createFederation(
    { config: c.federation!, trust: c.trust, stateDir: c.state, allow: () => d.engine.allowSet() },
    {
      store: d.store,
      trustPolicy: d.trust,
      clock: d.clock,
      logger: d.log,
      metrics: d.metrics,
      onVote: async (v: Vote) => {
        await d.engine.vote(v)
      },
      onRetract: async (author: string, ip: string) => {
        if (d.config.trust.honorRetractions) await d.engine.retract(author, ip)
      },
      // a member trusted or connecting from a new address is protected at once, not at the next refresh
      onMembersChanged
    }
  )
  d.engine.subscribe(new PublishSink(federation, d.log))
  await federation.start()
  return federation
}

/** the gauges a scrape reads off the stages (only with metrics, that is with a feed) */
export async function registerGauges (d: Daemon): Promise<void> {
  if (d.metrics === undefined) return
  const { registerScrapeGauges } = await import('./control/metrics-scrape.ts')
  registerScrapeGauges(d.metrics, {
    now: () => d.clock.now(),
    streams: () => d.detector?.streamStatus() ?? [],
    bansByOrigin: () => d.engine.byOrigin(),
    peers: d.federation === undefined ? undefined : () => d.federation!.peers()
  })
}

/** the blocklist feed and /metrics over HTTP */
export async function startFeed (d: Daemon): Promise<FeedServer> {
  const feed = d.config.feed!
  const [{ FeedServer }, { feedToken }] = await Promise.all([
    import('./control/http-server.ts'),
    import('./control/feed-http.ts')
  ])
  const server = new FeedServer({
    listen: feed.listen,
    bans: () => d.engine.bans(),
    now: () => d.clock.now(),
    subscribe: sink => d.engine.subscribe(sink),
    metrics: d.metrics,
    logger: d.log,
    votes: { votes: key => d.engine.votesOn(key) },
    token: feedToken(feed)
  })
  await server.start()
  return server
}

import type { PeerStatus } from '../federation/index.ts'
import type { StreamStatus } from '../detect/types.ts'
import type { BansByOrigin } from '../decide/lookup.ts'
import type { PromMetrics } from './metrics.ts'

/**
 * Gauges set at scrape time from the stages' status interfaces, so the stages need no metric
 * plumbing for state they already report to `palisade status` and `peer list`. No per-IP and
 * no per-peer labels: peers are summed (a collective of many members stays a few series).
 */
export interface ScrapeSources {
  now: () => number
  streams: () => readonly StreamStatus[]
  bansByOrigin: () => BansByOrigin
  /** absent without federation */
  peers?: () => readonly PeerStatus[]
}

export function registerScrapeGauges (m: PromMetrics, src: ScrapeSources): void {
  const up = m.gauge('palisade_detect_stream_up', '1 while the stream runs, 0 while it retries, waits for its file or is stopped', ['stream'])
  const restarts = m.gauge('palisade_detect_stream_restarts', 'times the stream was restarted since start', ['stream'])
  const idle = m.gauge('palisade_detect_stream_idle_seconds', 'seconds since the stream last read a line (absent before the first)', ['stream'])
  const bans = m.gauge('palisade_decide_bans', 'bans in force, by origin', ['origin'])
  const connected = m.gauge('palisade_federation_peers_connected', 'trusted members connected now')
  const known = m.gauge('palisade_federation_peers', 'trusted members configured')
  const syncLag = m.gauge('palisade_federation_sync_lag_seconds', 'seconds since the oldest last sync pull among connected members that were pulled from (0 with none)')
  const quiet = m.gauge('palisade_federation_last_message_seconds', 'seconds since the most recent gossip message from any member')
  m.onScrape(() => {
    const now = src.now()
    for (const s of src.streams()) {
      up.set(s.state === 'running' ? 1 : 0, { stream: s.stream })
      restarts.set(s.restarts, { stream: s.stream })
      if (s.lastLineAt !== undefined) idle.set(Math.max(0, now - s.lastLineAt) / 1000, { stream: s.stream })
    }
    for (const [origin, n] of Object.entries(src.bansByOrigin())) bans.set(n, { origin })
    if (src.peers === undefined) return
    const peers = src.peers()
    const on = peers.filter(p => p.connected)
    known.set(peers.length)
    connected.set(on.length)
    const syncs = on.flatMap(p => p.lastSync === undefined ? [] : [p.lastSync.at])
    syncLag.set(syncs.length === 0 ? 0 : Math.max(0, now - Math.min(...syncs)) / 1000)
    const last = Math.max(0, ...peers.map(p => p.lastMessage ?? 0))
    if (last > 0) quiet.set(Math.max(0, now - last) / 1000)
  })
}

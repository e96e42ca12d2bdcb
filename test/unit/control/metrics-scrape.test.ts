import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PromMetrics } from '../../../src/control/metrics.ts'
import { registerScrapeGauges } from '../../../src/control/metrics-scrape.ts'
import type { StreamStatus } from '../../../src/detect/types.ts'
import type { PeerStatus } from '../../../src/federation/index.ts'

test('stream liveness, bans by origin, peers and sync lag are read from the status interfaces at each scrape', async () => {
  let now = 1_000_000
  const streams: StreamStatus[] = [
    { stream: 'ssh', kind: 'journal', state: 'running', restarts: 0, errors: {}, lastLineAt: now - 4000 },
    { stream: 'web', kind: 'file', state: 'retrying', restarts: 3, errors: { ENOSPC: 3 } }
  ]
  const peers: PeerStatus[] = [
    {
      key: 'a',
      connected: true,
      addresses: [],
      lastMessage: now - 2000,
      lastSync: { at: now - 30_000, received: 1, accepted: 1 }
    },
    { key: 'b', connected: true, addresses: [] },
    { key: 'c', connected: false, addresses: [], lastSync: { at: now - 999_000, received: 0, accepted: 0 } }
  ]
  const m = new PromMetrics({ processMetrics: false })
  registerScrapeGauges(m, {
    now: () => now,
    streams: () => streams,
    bansByOrigin: () => ({ detect: 5, manual: 1, remote: 2 }),
    peers: () => peers
  })
  let text = await m.text()
  assert.match(text, /^palisade_detect_stream_up\{stream="ssh"\} 1$/m)
  assert.match(text, /^palisade_detect_stream_up\{stream="web"\} 0$/m)
  assert.match(text, /^palisade_detect_stream_restarts\{stream="web"\} 3$/m)
  assert.match(text, /^palisade_detect_stream_idle_seconds\{stream="ssh"\} 4$/m)
  assert.match(text, /^palisade_decide_bans\{origin="remote"\} 2$/m)
  assert.match(text, /^palisade_federation_peers 3$/m)
  assert.match(text, /^palisade_federation_peers_connected 2$/m)
  assert.match(text, /^palisade_federation_sync_lag_seconds 30$/m, 'only connected members that were pulled from')
  assert.match(text, /^palisade_federation_last_message_seconds 2$/m)
  assert.doesNotMatch(text, /key="|peer="|ip="/, 'no per-peer or per-IP labels')
  streams[1].state = 'running'
  now += 10_000
  text = await m.text()
  assert.match(text, /^palisade_detect_stream_up\{stream="web"\} 1$/m)
  assert.match(text, /^palisade_federation_sync_lag_seconds 40$/m)
})

import { formatDuration, isoTime } from '../../common/duration.ts'
import type { StreamStatus } from '../../detect/types.ts'
import { daemonStatus, type StatusReport } from '../status.ts'
import { indent, table } from './print.ts'
import { command } from './types.ts'

/** `palisade status`: streams alive or not, firewall and its last repair pass, peers, bans by origin. */
export const status = command<Record<string, never>, StatusReport>({
  socket: {
    verb: 'status',
    heavy: true,
    schema: z => z.strictObject({}),
    handle: async s => daemonStatus({
      streams: s.detector?.streamStatus() ?? [],
      firewall: s.firewall.status(),
      trust: s.trust,
      federation: s.federation,
      // counted once per ban generation: a monitor polling status must not walk a million bans each time
      engine: { byOrigin: s.listings.byOrigin },
      startedAt: s.startedAt,
      now: s.now()
    })
  },
  print: r => renderStatus(r, Date.now())
})

const ago = (t: number, now: number): string =>
  `${isoTime(t)} (${formatDuration(Math.max(0, Math.round((now - t) / 1000)) * 1000)} ago)`

function health (s: StreamStatus): string {
  // running with a path that matches no file is not alive: nothing is read
  if (s.state === 'running' && (s.missing ?? []).length > 0) return 'waiting'
  return s.state === 'running' ? 'alive' : s.state
}

export function renderStatus (r: StatusReport, now: number): string {
  const up = formatDuration(Math.round(r.uptimeMs / 1000) * 1000)
  const lines = [`palisade ${r.version}, pid ${r.pid}, up ${up} (since ${isoTime(r.startedAt)})`]
  const bans = r.bans
  lines.push(`bans: ${bans.total} (detect ${bans.detect}, manual ${bans.manual}, remote ${bans.remote})`)
  if (r.firewall === null) {
    lines.push('firewall: not started')
  } else {
    const l = r.firewall.lastReconcile
    const outcome = l === null
      ? ''
      : l.error !== undefined
        ? `FAILED: ${l.error}`
        : l.added + l.removed === 0 ? 'in step' : `repaired (${l.added} added, ${l.removed} removed)`
    const pass = l === null ? 'no reconcile pass yet' : `last reconcile ${ago(l.at, now)}: ${outcome}`
    lines.push(`firewall: ${r.firewall.backend}, ${pass}`)
  }
  if (r.peers === null) {
    lines.push('peers: federation not configured')
  } else {
    const others = r.peers.connected - r.peers.trustedConnected
    lines.push(`peers: ${r.peers.trustedConnected} of ${r.peers.trusted} trusted connected${others > 0 ? `, ${others} other connected` : ''}`)
  }
  lines.push(`streams: ${r.streams.length}`)
  if (r.streams.length > 0) {
    const rows = r.streams.map(s => [s.stream, s.kind, health(s), String(s.lines ?? 0),
      s.lastLineAt === undefined ? 'never' : ago(s.lastLineAt, now), String(s.restarts), problem(s)])
    lines.push(indent(table(['STREAM', 'KIND', 'STATE', 'LINES', 'LAST LINE', 'RESTARTS', 'LAST ERROR'], rows, true)))
  }
  return lines.join('\n')
}

function problem (s: StreamStatus): string {
  const parts: string[] = []
  if ((s.missing ?? []).length > 0) parts.push(`no file at ${s.missing!.join(', ')}`)
  if (s.lastError !== undefined) parts.push(`${s.lastError.kind}: ${s.lastError.message} at ${isoTime(s.lastError.at)}`)
  return parts.length === 0 ? '-' : parts.join('; ')
}

import { formatDuration, isoTime } from '../common/duration.ts'
import type { StatusReport } from '../control/status.ts'
import type { StreamStatus } from '../detect/types.ts'
import type { GlobalOptions } from './main.ts'
import { ask, formatOf, out, printData, table } from './context.ts'

/** `palisade status`: streams alive or not, firewall and its last repair pass, peers, bans by origin. */
export async function commandStatus (g: GlobalOptions, o: { json?: boolean, format?: string }): Promise<void> {
  const format = formatOf(o)
  const r = await ask(g, 'status') as StatusReport
  if (!await printData(format, r)) out(renderStatus(r, Date.now()))
}

const ago = (t: number, now: number): string => `${isoTime(t)} (${formatDuration(Math.max(0, Math.round((now - t) / 1000)) * 1000)} ago)`

function health (s: StreamStatus): string {
  // running with a path that matches no file is not alive: nothing is read
  if (s.state === 'running' && (s.missing ?? []).length > 0) return 'waiting'
  return s.state === 'running' ? 'alive' : s.state
}

export function renderStatus (r: StatusReport, now: number): string {
  const lines = [`palisade ${r.version}, pid ${r.pid}, up ${formatDuration(Math.round(r.uptimeMs / 1000) * 1000)} (since ${isoTime(r.startedAt)})`]
  const bans = r.bans
  lines.push(`bans: ${bans.total} (detect ${bans.detect}, manual ${bans.manual}, remote ${bans.remote})`)
  if (r.firewall === null) {
    lines.push('firewall: not started')
  } else {
    const l = r.firewall.lastReconcile
    const pass = l === null
      ? 'no reconcile pass yet'
      : `last reconcile ${ago(l.at, now)}: ${l.error !== undefined ? `FAILED: ${l.error}` : l.added + l.removed === 0 ? 'in step' : `repaired (${l.added} added, ${l.removed} removed)`}`
    lines.push(`firewall: ${r.firewall.backend}, ${pass}`)
  }
  lines.push(r.peers === null
    ? 'peers: federation not configured'
    : `peers: ${r.peers.trustedConnected} of ${r.peers.trusted} trusted connected${r.peers.connected > r.peers.trustedConnected ? `, ${r.peers.connected - r.peers.trustedConnected} other connected` : ''}`)
  lines.push(`streams: ${r.streams.length}`)
  if (r.streams.length > 0) {
    const rows = r.streams.map(s => [s.stream, s.kind, health(s), String(s.lines ?? 0), s.lastLineAt === undefined ? 'never' : ago(s.lastLineAt, now),
      String(s.restarts), problem(s)])
    lines.push(table(['STREAM', 'KIND', 'STATE', 'LINES', 'LAST LINE', 'RESTARTS', 'LAST ERROR'], rows, true).split('\n').map(l => '  ' + l).join('\n'))
  }
  return lines.join('\n')
}

function problem (s: StreamStatus): string {
  const parts: string[] = []
  if ((s.missing ?? []).length > 0) parts.push(`no file at ${s.missing!.join(', ')}`)
  if (s.lastError !== undefined) parts.push(`${s.lastError.kind}: ${s.lastError.message} at ${isoTime(s.lastError.at)}`)
  return parts.length === 0 ? '-' : parts.join('; ')
}

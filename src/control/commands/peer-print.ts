import { table } from './print.ts'

export interface PeerRow {
  key: string
  name?: string
  trusted: boolean
  weight?: number
  shadow?: boolean
  source?: string
  revoked?: boolean
  connected: boolean
  stats: { accepted: number, rejected: number, lastReport?: number, reasons?: Record<string, number> } | null
  addresses?: string[]
  lastMessage?: number
  penalisedUntil?: number
  lastSync?: { at: number, received: number, accepted: number, failed?: string }
  remoteBans?: { held: number, share: number, refused: { cap: number, share: number } }
}

const iso = (ms: number | undefined): string => ms === undefined ? 'never' : new Date(ms).toISOString()

/** a peer's summary row: the columns of `peer list` */
function summary (r: PeerRow): string[] {
  const state = r.trusted
    ? `trusted weight ${r.weight}${r.shadow === true ? ' shadow' : ''} (${r.source})`
    : r.revoked === true ? 'revoked' : 'untrusted'
  const conn = r.penalisedUntil !== undefined
    ? `disconnected (penalised until ${iso(r.penalisedUntil)})`
    : r.connected ? 'connected' : 'disconnected'
  return [r.key, r.name ?? '-', state, conn, `last report ${iso(r.stats?.lastReport)}`,
    `accepted ${r.stats?.accepted ?? 0} rejected ${r.stats?.rejected ?? 0}`]
}

/** its details, indented under its row (each refusal reason with its count) */
function details (r: PeerRow, now: number): string[] {
  const lines: string[] = []
  const reasons = Object.entries(r.stats?.reasons ?? {}).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`)
  if (reasons.length > 0) lines.push(`    refused: ${reasons.join(', ')}`)
  if (r.lastMessage !== undefined) lines.push(`    last message ${iso(r.lastMessage)}`)
  if (r.lastSync !== undefined) {
    const s = r.lastSync
    const what = s.failed !== undefined ? `failed: ${s.failed}` : `received ${s.received}, accepted ${s.accepted}`
    lines.push(`    last sync ${iso(s.at)} (${Math.round((now - s.at) / 1000)} s ago): ${what}`)
  }
  if (r.remoteBans !== undefined) {
    const b = r.remoteBans
    lines.push(`    remote bans held ${b.held} of its share ${b.share}; refused for the cap ${b.refused.cap}, for its share ${b.refused.share}`)
  }
  if ((r.addresses ?? []).length > 0) lines.push(`    known at ${r.addresses!.join(' ')}`)
  return lines
}

/** one aligned table (a header in a terminal), each peer's details under its row */
export function renderPeers (rows: readonly PeerRow[], now: number, tty = process.stdout.isTTY === true): string {
  if (rows.length === 0) return 'no peers'
  const aligned = table(['KEY', 'NAME', 'TRUST', 'CONNECTION', 'LAST REPORT', 'VOTES'], rows.map(summary), tty).split('\n')
  const lines = tty ? [aligned.shift()!] : []
  rows.forEach((r, i) => lines.push(aligned[i], ...details(r, now)))
  return lines.join('\n')
}

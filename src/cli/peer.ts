import type { Command } from 'commander'
import { PalisadeError } from '../common/errors.ts'
import { globals, type GlobalOptions } from './main.ts'
import { ask, configFrom, out, table } from './context.ts'

interface PeerRow {
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
  const state = r.trusted ? `trusted weight ${r.weight}${r.shadow === true ? ' shadow' : ''} (${r.source})` : r.revoked === true ? 'revoked' : 'untrusted'
  const conn = r.penalisedUntil !== undefined ? `disconnected (penalised until ${iso(r.penalisedUntil)})` : r.connected ? 'connected' : 'disconnected'
  return [r.key, r.name ?? '-', state, conn, `last report ${iso(r.stats?.lastReport)}`, `accepted ${r.stats?.accepted ?? 0} rejected ${r.stats?.rejected ?? 0}`]
}

/** its details, indented under its row (each refusal reason with its count) */
function details (r: PeerRow, now: number): string[] {
  const lines: string[] = []
  const reasons = Object.entries(r.stats?.reasons ?? {}).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`)
  if (reasons.length > 0) lines.push(`    refused: ${reasons.join(', ')}`)
  if (r.lastMessage !== undefined) lines.push(`    last message ${iso(r.lastMessage)}`)
  if (r.lastSync !== undefined) {
    const s = r.lastSync
    lines.push(`    last sync ${iso(s.at)} (${Math.round((now - s.at) / 1000)} s ago): ${s.failed !== undefined ? `failed: ${s.failed}` : `received ${s.received}, accepted ${s.accepted}`}`)
  }
  if (r.remoteBans !== undefined) {
    const b = r.remoteBans
    lines.push(`    remote bans held ${b.held} of its share ${b.share}; refused for the cap ${b.refused.cap}, for its share ${b.refused.share}`)
  }
  if ((r.addresses ?? []).length > 0) lines.push(`    known at ${r.addresses!.join(' ')}`)
  return lines
}

export function commandPeer (program: Command): void {
  const peer = program.command('peer').description('this node\'s identity and the peers it trusts')

  peer.command('id').description('this node\'s key (its libp2p peer id) and listen addresses')
    .action(async (_o, cmd: Command) => peerId(globals(cmd)))

  peer.command('list').description('peers: trusted?, weight, connected, last report and message, accepted / refused by reason, last sync, share of maxRemoteBans')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const rows = await ask(globals(cmd), 'peer-list') as PeerRow[]
      if (o.json === true) { out(JSON.stringify(rows, null, 2)); return }
      if (rows.length === 0) { out('no peers'); return }
      const now = Date.now()
      // one aligned table (a header in a terminal), each peer's details under its row
      const tty = process.stdout.isTTY === true
      const aligned = table(['KEY', 'NAME', 'TRUST', 'CONNECTION', 'LAST REPORT', 'VOTES'], rows.map(summary), tty).split('\n')
      if (tty) out(aligned.shift()!)
      rows.forEach((r, i) => { for (const l of [aligned[i], ...details(r, now)]) out(l) })
    })

  const trust = peer.command('trust').description('manage trusted peers on the running daemon (persisted)')
  trust
    .command('add')
    .argument('<key>', 'peer id (12D3KooW…)')
    .option('--weight <w>', 'vote weight', '1')
    .option('--name <name>', 'a name for logs and `peer list`')
    .option('--shadow', "evaluate and log this peer's votes, never ban on them")
    .option(
      '--addr <multiaddr>',
      'where the peer listens (/ip4/203.0.113.7/tcp/4711), repeatable: dialled at once, never banned while trusted',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[]
    )
    .action(
      async (key: string, o: { weight: string; name?: string; shadow?: boolean; addr: string[] }, cmd: Command) => {
        const p = (await ask(globals(cmd), 'peer-trust-add', {
          key,
          weight: Number(o.weight),
          name: o.name,
          shadow: o.shadow === true,
          addr: o.addr
        })) as PeerRow
        out(`trusted ${p.key} weight ${p.weight}${p.shadow === true ? ' (shadow)' : ''}`)
      }
    )
  trust.command('remove').argument('<key>', 'peer id')
    .action(async (key: string, _o, cmd: Command) => {
      const r = await ask(globals(cmd), 'peer-trust-remove', { key }) as { removed: boolean, stillInConfig: boolean }
      out(r.stillInConfig ? `${key} is still trusted by the configuration file (edit it, or use: palisade peer revoke ${key})` : r.removed ? `removed ${key}` : `${key} was not trusted`)
    })

  peer.command('revoke').description('distrust a key and drop every vote it gave').argument('<key>', 'peer id')
    .action(async (key: string, _o, cmd: Command) => {
      const r = await ask(globals(cmd), 'peer-revoke', { key }) as { lifted: string[] }
      out(`revoked ${key}; bans lifted: ${r.lifted.length === 0 ? 'none' : r.lifted.join(' ')}`)
    })
}

/** Ask the daemon; when none runs, read the identity from the state directory. */
async function peerId (g: GlobalOptions): Promise<void> {
  try {
    const r = await ask(g, 'peer-id') as { id: string, addresses: string[] }
    out([r.id, ...r.addresses].join('\n'))
  } catch (err) {
    if (!(err instanceof PalisadeError) || err.code !== 'PAL_ERR_CONTROL_NO_DAEMON') throw err
    const config = await configFrom(g)
    const { loadIdentity } = await import('../federation/index.ts')
    const id = await loadIdentity(config.state, { create: true })
    out([id.id, ...(config.federation?.listen ?? []).map(a => `${a}/p2p/${id.id}  (daemon not running)`)].join('\n'))
  }
}

import type { Command } from 'commander'
import { PalisadeError } from '../common/errors.ts'
import { globals, type GlobalOptions } from './main.ts'
import { ask, configFrom, out } from './context.ts'

interface PeerRow {
  key: string
  name?: string
  trusted: boolean
  weight?: number
  shadow?: boolean
  source?: string
  revoked?: boolean
  connected: boolean
  stats: { accepted: number, rejected: number, lastReport?: number } | null
}

export function commandPeer (program: Command): void {
  const peer = program.command('peer').description('this node\'s identity and the peers it trusts')

  peer.command('id').description('this node\'s key (its libp2p peer id) and listen addresses')
    .action(async (_o, cmd: Command) => peerId(globals(cmd)))

  peer.command('list').description('peers: trusted?, weight, connected, last report, accepted/rejected')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const rows = await ask(globals(cmd), 'peer-list') as PeerRow[]
      if (o.json === true) { out(JSON.stringify(rows, null, 2)); return }
      if (rows.length === 0) { out('no peers'); return }
      for (const r of rows) {
        const last = r.stats?.lastReport === undefined ? 'never' : new Date(r.stats.lastReport).toISOString()
        out(`${r.key}  ${r.name ?? '-'}  ${r.trusted ? `trusted weight ${r.weight}${r.shadow === true ? ' shadow' : ''} (${r.source})` : r.revoked === true ? 'revoked' : 'untrusted'}  ` +
          `${r.connected ? 'connected' : 'disconnected'}  last report ${last}  accepted ${r.stats?.accepted ?? 0} rejected ${r.stats?.rejected ?? 0}`)
      }
    })

  const trust = peer.command('trust').description('manage trusted peers on the running daemon (persisted)')
  trust.command('add').argument('<key>', 'peer id (12D3KooW…)')
    .option('--weight <w>', 'vote weight', '1')
    .option('--name <name>', 'a name for logs and `peer list`')
    .option('--shadow', 'evaluate and log this peer\'s votes, never ban on them')
    .action(async (key: string, o: { weight: string, name?: string, shadow?: boolean }, cmd: Command) => {
      const p = await ask(globals(cmd), 'peer-trust-add', { key, weight: Number(o.weight), name: o.name, shadow: o.shadow === true }) as PeerRow
      out(`trusted ${p.key} weight ${p.weight}${p.shadow === true ? ' (shadow)' : ''}`)
    })
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

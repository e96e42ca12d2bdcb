import { ErrorCodes, PalisadeError, palisadeError } from '../../common/errors.ts'
import { renderPeers, type PeerRow } from './peer-print.ts'
import { command } from './types.ts'

export const peerId = command<Record<string, never>, { id: string, addresses: string[] }>({
  socket: {
    verb: 'peer-id',
    schema: z => z.strictObject({}),
    handle: async s => {
      const fed = (await import('./checks.ts')).requireFederation(s)
      return { id: fed.peerId, addresses: fed.addresses() }
    }
  },
  // when no daemon runs, the identity is read from the state directory
  call: async i => {
    try {
      return await i.ask('peer-id') as { id: string, addresses: string[] }
    } catch (err) {
      if (!(err instanceof PalisadeError) || err.code !== 'PAL_ERR_CONTROL_NO_DAEMON') throw err
      const { configFrom } = await import('../../cli/context.ts')
      const config = await configFrom(i.globals)
      const { loadIdentity } = await import('../../federation/index.ts')
      const id = await loadIdentity(config.state, { create: true })
      return { id: id.id, addresses: (config.federation?.listen ?? []).map(a => `${a}/p2p/${id.id}  (daemon not running)`) }
    }
  },
  print: r => [r.id, ...r.addresses].join('\n')
})

export const peerList = command<Record<string, never>, PeerRow[]>({
  socket: {
    verb: 'peer-list',
    heavy: true,
    schema: z => z.strictObject({}),
    handle: async s => {
      const connected = new Map((s.federation?.peers() ?? []).map(p => [p.key, p]))
      // the engine's share of maxRemoteBans per member, when it keeps one (decide/remote-budget.ts)
      const budget = s.engine.remoteBudgetOf?.bind(s.engine)
      const trusted = s.trust.list().map(p => {
        const c = connected.get(p.key)
        return {
          ...p,
          trusted: true,
          connected: c?.connected ?? false,
          stats: s.trust.stats(p.key) ?? null,
          addresses: s.trust.addresses(p.key),
          ...(c?.lastMessage === undefined ? {} : { lastMessage: c.lastMessage }),
          ...(c?.penalisedUntil === undefined ? {} : { penalisedUntil: c.penalisedUntil }),
          ...(c?.lastSync === undefined ? {} : { lastSync: c.lastSync }),
          ...(budget === undefined ? {} : { remoteBans: budget(p.key) })
        }
      })
      const others = [...connected.values()]
        .filter(p => s.trust.get(p.key) === undefined)
        .map(p => ({
          key: p.key,
          trusted: false,
          revoked: s.trust.isRevoked(p.key),
          connected: p.connected,
          stats: s.trust.stats(p.key) ?? null
        }))
      return [...trusted, ...others] as PeerRow[]
    }
  },
  print: rows => renderPeers(rows, Date.now())
})

interface TrustAdd { key: string, weight?: number, name?: string, shadow?: boolean, addr?: string[] }

export const trustAdd = command<TrustAdd, PeerRow>({
  socket: {
    verb: 'peer-trust-add',
    schema: z => z.strictObject({
      key: z.string().min(1).max(128),
      weight: z.number().min(0).optional(),
      name: z.string().max(128).optional(),
      shadow: z.boolean().optional(),
      addr: z.array(z.string().max(256)).max(64).optional()
    }),
    handle: async (s, a) => await s.trust.add(a.key, {
      weight: a.weight,
      name: a.name === '' ? undefined : a.name,
      shadow: a.shadow === true,
      addrs: a.addr ?? []
    }) as PeerRow
  },
  request: i => {
    const o = i.opts as { weight: string, name?: string, shadow?: boolean, addr: string[] }
    const weight = Number(o.weight)
    if (!(Number.isFinite(weight) && weight >= 0)) throw palisadeError(ErrorCodes.CLI_USAGE, '--weight must be a number ≥ 0')
    return { key: i.args[0], weight, name: o.name, shadow: o.shadow === true, addr: o.addr }
  },
  print: p => `trusted ${p.key} weight ${p.weight}${p.shadow === true ? ' (shadow)' : ''}`
})

export const trustRemove = command<{ key: string }, { removed: boolean, stillInConfig: boolean }>({
  socket: {
    verb: 'peer-trust-remove',
    schema: z => z.strictObject({ key: z.string().min(1).max(128) }),
    handle: async (s, a) => await s.trust.remove(a.key)
  },
  request: i => ({ key: i.args[0] }),
  print: (r, i) => {
    const key = String(i.args[0])
    if (r.stillInConfig) return `${key} is still trusted by the configuration file (edit it, or use: palisade peer revoke ${key})`
    return r.removed ? `removed ${key}` : `${key} was not trusted`
  }
})

export const peerRevoke = command<{ key: string }, { revoked: string, lifted: string[] }>({
  socket: {
    verb: 'peer-revoke',
    schema: z => z.strictObject({ key: z.string().min(1).max(128) }),
    handle: async (s, a) => {
      await s.trust.revoke(a.key)
      const lifted = await s.engine.revoke(a.key)
      await s.firewall.settled()
      return { revoked: a.key, lifted: lifted.map(x => x.ban.ip ?? x.ban.key) }
    }
  },
  request: i => ({ key: i.args[0] }),
  print: (r, i) => `revoked ${String(i.args[0])}; bans lifted: ${r.lifted.length === 0 ? 'none' : r.lifted.join(' ')}`
})

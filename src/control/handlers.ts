import { ErrorCodes, palisadeError } from '../common/errors.ts'
import { parseSubject } from '../common/ip.ts'
import { SELF } from '../common/model.ts'
import { parseDuration } from '../common/duration.ts'
import type { Daemon } from '../daemon.ts'
import type { Ban } from '../common/model.ts'
import { FeedCache, FEED_FORMATS, type FeedFormat } from './feed.ts'
import { SHOW_PAGE_MAX, type ControlHandler } from './protocol.ts'

/**
 * What the CLI can ask of a running daemon. Arguments arrive from the socket as untrusted JSON:
 * each handler validates its own (types, IP syntax, durations) before touching any stage.
 */
export function controlHandlers (d: Daemon): Map<string, ControlHandler> {
  const h = new Map<string, ControlHandler>()
  // listings are built once per ban generation, then sliced: a page costs its own size, not a
  // sort of every ban (1,000 clients asking at once with 20,000 bans stalled the daemon 7.7 s)
  const feed = new FeedCache(() => d.engine.bans(), () => d.clock.now())
  let sorted: { generation: number, bans: Ban[] } | undefined
  let generation = 0
  d.engine.subscribe(feed)
  d.engine.subscribe({ name: 'control-show', apply: () => { generation++ } })
  const bansByEnd = (): Ban[] => {
    if (sorted?.generation !== generation) sorted = { generation, bans: d.engine.bans().sort((a, b) => a.until - b.until || (a.key < b.key ? -1 : 1)) }
    return sorted.bans
  }

  h.set('ping', async () => ({ pid: process.pid }))

  // re-reads the configuration the daemon started with and applies what changed (src/daemon-reload.ts)
  h.set('reload', async () => await d.reload())

  h.set('show', async args => {
    const ip = optString(args, 'ip')
    if (ip !== undefined) {
      const key = subjectArg(ip)
      const e = await d.engine.explain(key)
      return { ...e, counters: d.detector?.counters(key) ?? [], pending: d.actions.pending(key) }
    }
    const limit = intArg(args, 'limit', 1, SHOW_PAGE_MAX) ?? SHOW_PAGE_MAX
    const offset = intArg(args, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0
    const all = bansByEnd()
    // counters and pending actions come with the first page, capped: the CLI prints their totals
    const counters = offset === 0 ? d.detector?.counters() ?? [] : []
    const pending = offset === 0 ? d.actions.pending() : []
    return {
      bans: all.slice(offset, offset + limit),
      total: all.length,
      offset,
      counters: counters.slice(0, SHOW_PAGE_MAX),
      countersTotal: counters.length,
      pending: pending.slice(0, SHOW_PAGE_MAX),
      pendingTotal: pending.length,
      // streams that are not simply running, or that wait for a file or glob: what an admin must look at
      streams: offset === 0 ? (d.detector?.streamStatus() ?? []).filter(x => x.state !== 'running' || (x.missing ?? []).length > 0) : []
    }
  })

  h.set('ban', async args => {
    const ip = subjectArg(String(args.ip ?? ''))
    const duration = args.for === undefined ? d.config.trust.banFor : parseDuration(String(args.for))
    const reason = optString(args, 'reason')
    const weight = Math.max(d.config.trust.localWeight, d.config.trust.threshold)
    const decision = await d.engine.vote({
      key: ip, ip, values: { ip }, author: SELF, weight, filter: 'manual', count: 1, observedAt: d.clock.now(),
      ttl: duration, origin: 'manual', reason, share: args.share === true, firewall: true
    })
    await d.firewallSink.settled()
    return decision?.kind === 'ban' ? decision.ban : d.engine.get(ip)
  })

  h.set('unban', async args => {
    const ip = subjectArg(String(args.ip ?? ''))
    const decision = await d.engine.unban(ip)
    await d.detector?.reset(ip)
    await d.firewallSink.settled()
    if (decision === null) throw palisadeError(ErrorCodes.DECIDE_NOT_BANNED, `${ip} is not banned here`)
    return decision.ban
  })

  h.set('trigger', async args => {
    const id = String(args.filter ?? '')
    const f = d.filter(id)
    if (f === undefined) throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, `no filter ${JSON.stringify(id)}; filters are named STREAM.FILTER`)
    const given = (typeof args.values === 'object' && args.values !== null ? args.values : {}) as Record<string, unknown>
    const values: Record<string, string> = {}
    let ip: string | undefined
    for (const name of f.patterns) {
      const raw = given[name]
      if (typeof raw !== 'string' || raw === '') throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, `missing ${name}=… for ${id}`)
      const p = d.config.patterns[name]
      if (p?.type !== undefined) {
        const s = parseSubject(raw)
        if (s === null) throw palisadeError(ErrorCodes.IP_INVALID, `${name}=${raw} is not a valid IP address`)
        values[name] = s.text
        ip = s.text
      } else {
        values[name] = raw
      }
    }
    const ipPatterns = f.patterns.filter(n => d.config.patterns[n]?.type !== undefined)
    const key = ipPatterns.length === 1 && ip !== undefined ? ip : f.patterns.map(n => values[n]).join('\t')
    const decision = await d.engine.vote(d.localVote(f, key, ipPatterns.length === 1 ? ip : undefined, values, f.retry))
    await d.firewallSink.settled()
    return decision?.ban ?? null
  })

  h.set('feed', async args => {
    const format = String(args.format ?? 'txt') as FeedFormat
    if (!FEED_FORMATS.includes(format)) throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, `unknown feed format ${JSON.stringify(format)}: txt, json or nft`)
    return feed.render(format)
  })

  h.set('peer-id', async () => {
    const fed = requireFederation(d)
    return { id: fed.peerId, addresses: fed.addresses() }
  })

  h.set('peer-list', async () => {
    const connected = new Map((d.federation?.peers() ?? []).map(p => [p.key, p]))
    // the engine's share of maxRemoteBans per member, when it keeps one (decide/remote-budget.ts)
    const budget = (d.engine as { remoteBudgetOf?: (key: string) => unknown }).remoteBudgetOf?.bind(d.engine)
    const trusted = d.trust.list().map(p => {
      const s = connected.get(p.key)
      return {
        ...p, trusted: true, connected: s?.connected ?? false, stats: d.trust.stats(p.key) ?? null, addresses: d.trust.addresses(p.key),
        ...(s?.lastMessage === undefined ? {} : { lastMessage: s.lastMessage }),
        ...(s?.penalisedUntil === undefined ? {} : { penalisedUntil: s.penalisedUntil }),
        ...(s?.lastSync === undefined ? {} : { lastSync: s.lastSync }),
        ...(budget === undefined ? {} : { remoteBans: budget(p.key) })
      }
    })
    const others = [...connected.values()].filter(p => d.trust.get(p.key) === undefined)
      .map(p => ({ key: p.key, trusted: false, revoked: d.trust.isRevoked(p.key), connected: p.connected, stats: d.trust.stats(p.key) ?? null }))
    return [...trusted, ...others]
  })

  h.set('peer-trust-add', async args => {
    const weight = args.weight === undefined ? undefined : Number(args.weight)
    if (weight !== undefined && !(Number.isFinite(weight) && weight >= 0)) throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, '--weight must be a number ≥ 0')
    const addrs = Array.isArray(args.addr) ? args.addr.map(String) : []
    return await d.trust.add(String(args.key ?? ''), { weight, name: optString(args, 'name'), shadow: args.shadow === true, addrs })
  })

  h.set('peer-trust-remove', async args => await d.trust.remove(String(args.key ?? '')))

  h.set('peer-revoke', async args => {
    const key = String(args.key ?? '')
    await d.trust.revoke(key)
    const lifted = await d.engine.revoke(key)
    await d.firewallSink.settled()
    return { revoked: key, lifted: lifted.map(x => x.ban.ip ?? x.ban.key) }
  })

  return h
}

function subjectArg (text: string): string {
  const s = parseSubject(text.trim())
  if (s === null) throw palisadeError(ErrorCodes.IP_INVALID, `${JSON.stringify(text)} is not an IP address or CIDR prefix`)
  return s.text
}

function intArg (args: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const v = args[name]
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, `${name} must be an integer in ${min}..${max}`)
  }
  return v
}

function optString (args: Record<string, unknown>, name: string): string | undefined {
  const v = args[name]
  return typeof v === 'string' && v !== '' ? v : undefined
}

function requireFederation (d: Daemon): NonNullable<Daemon['federation']> {
  if (d.federation === undefined) throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, 'federation is not configured (add a `federation:` section)')
  return d.federation
}

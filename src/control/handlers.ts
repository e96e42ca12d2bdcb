import { ErrorCodes, palisadeError } from '../common/errors.ts'
import { parseSubject } from '../common/ip.ts'
import { SELF } from '../common/model.ts'
import { localVote } from '../decide/index.ts'
import { matchOfValues } from '../detect/manual-match.ts'
import { selection } from './selection.ts'
import { daemonStatus } from './status.ts'
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
    if (sorted?.generation !== generation) {
      sorted = { generation, bans: d.engine.bans().sort((a, b) => a.until - b.until || (a.key < b.key ? -1 : 1)) }
    }
    return sorted.bans
  }

  h.set('ping', async () => ({ pid: process.pid }))

  // re-reads the configuration the daemon started with and applies what changed (src/daemon-reload.ts)
  h.set('reload', async () => await d.reload())

  // counted once per ban generation: a monitor polling status must not walk a million bans each time (~100 ms)
  let counted: { generation: number, n: ReturnType<typeof d.engine.byOrigin> } | undefined
  const banCounts = (): ReturnType<typeof d.engine.byOrigin> => {
    if (counted?.generation !== generation) counted = { generation, n: d.engine.byOrigin() }
    return counted.n
  }
  h.set('status', async () =>
    daemonStatus({
      streams: d.detector?.streamStatus() ?? [],
      firewall:
        d.firewall === undefined ? null : { backend: d.firewall.name, lastReconcile: d.reconcile?.last() ?? null },
      trust: d.trust,
      federation: d.federation,
      engine: { byOrigin: banCounts },
      startedAt: d.startedAt ?? d.clock.now(),
      now: d.clock.now()
    })
  )

  h.set('show', async args => {
    const ip = optString(args, 'ip')
    if (ip !== undefined) {
      const key = subjectArg(ip)
      const e = await d.engine.explain(key)
      // the address may be inside a prefix ban (an ipv6mask of 64 bans the /64)
      const outer = e.ban === undefined ? d.engine.containing(key) : undefined
      if (outer === undefined) {
        return { ...e, counters: d.detector?.counters(key) ?? [], pending: d.actions.pending(key) }
      }
      const o = await d.engine.explain(outer.key)
      return {
        ...o,
        protected: e.protected,
        contains: key,
        counters: d.detector?.counters(outer.key) ?? [],
        pending: d.actions.pending(outer.key)
      }
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
      streams:
        offset === 0
          ? (d.detector?.streamStatus() ?? []).filter(x => x.state !== 'running' || (x.missing ?? []).length > 0)
          : []
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
    // an address inside a prefix ban lifts that prefix, and says so
    const key = d.engine.get(ip) === undefined ? d.engine.containing(ip)?.key ?? ip : ip
    const decision = await d.engine.unban(key)
    await d.detector?.reset(key)
    await d.firewallSink.settled()
    if (decision === null) throw palisadeError(ErrorCodes.DECIDE_NOT_BANNED, `${ip} is not banned here`)
    return key === ip ? decision.ban : { ...decision.ban, contains: ip }
  })

  h.set('flush', async args => {
    const select = selection(args)
    const lifted: Ban[] = []
    for (const b of d.engine.bans().filter(select.ban)) {
      const decision = await d.engine.unban(b.key)
      await d.detector?.reset(b.key)
      if (decision !== null) lifted.push(decision.ban)
    }
    // counting matches are forgotten too, as reaction's flush removes them
    const counters = (d.detector?.counters() ?? []).filter(select.counter)
    for (const key of new Set(counters.map(c => c.key))) await d.detector?.reset(key)
    await d.firewallSink.settled()
    return { lifted, counters: counters.length }
  })

  h.set('trigger', async args => {
    const id = String(args.filter ?? '')
    const f = d.filter(id)
    if (f === undefined) throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, `no filter ${JSON.stringify(id)}; filters are named STREAM.FILTER`)
    const given = (typeof args.values === 'object' && args.values !== null ? args.values : {}) as Record<
      string,
      unknown
    >
    // the normalisation a log line's captures get (mask, ignore lists), then the vote detection casts
    const now = d.clock.now()
    const m = matchOfValues(f, d.config.patterns, given, now)
    const decision = await d.engine.vote(localVote(f, m, f.retry, d.config.trust.localWeight, now))
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
        ...p,
        trusted: true,
        connected: s?.connected ?? false,
        stats: d.trust.stats(p.key) ?? null,
        addresses: d.trust.addresses(p.key),
        ...(s?.lastMessage === undefined ? {} : { lastMessage: s.lastMessage }),
        ...(s?.penalisedUntil === undefined ? {} : { penalisedUntil: s.penalisedUntil }),
        ...(s?.lastSync === undefined ? {} : { lastSync: s.lastSync }),
        ...(budget === undefined ? {} : { remoteBans: budget(p.key) })
      }
    })
    const others = [...connected.values()]
      .filter(p => d.trust.get(p.key) === undefined)
      .map(p => ({
        key: p.key,
        trusted: false,
        revoked: d.trust.isRevoked(p.key),
        connected: p.connected,
        stats: d.trust.stats(p.key) ?? null
      }))
    return [...trusted, ...others]
  })

  h.set('peer-trust-add', async args => {
    const weight = args.weight === undefined ? undefined : Number(args.weight)
    if (weight !== undefined && !(Number.isFinite(weight) && weight >= 0)) { throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, '--weight must be a number ≥ 0') }
    const addrs = Array.isArray(args.addr) ? args.addr.map(String) : []
    return await d.trust.add(String(args.key ?? ''), {
      weight,
      name: optString(args, 'name'),
      shadow: args.shadow === true,
      addrs
    })
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
  if (s === null) { throw palisadeError(ErrorCodes.IP_INVALID, `${JSON.stringify(text)} is not an IP address or CIDR prefix`) }
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
  if (d.federation === undefined) { throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, 'federation is not configured (add a `federation:` section)') }
  return d.federation
}

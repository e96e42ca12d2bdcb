import { SHOW_PAGE_MAX } from '../protocol.ts'
import { narrow, renderAll, renderOne, type ShowAll, type ShowOne } from './show-print.ts'
import { targetsOf } from './targets.ts'
import { command, type CliInput } from './types.ts'

interface ShowArgs { ip?: string, limit?: number, offset?: number }

/**
 * `show` (everything), `show ADDR` (why), or reaction's filters: `-l STREAM[.FILTER]` and
 * `NAME=REGEX` words (the whole value must match: `ip=203.0.113.*`), for any pattern.
 */
export const show = command<ShowArgs, ShowAll | ShowOne>({
  socket: {
    verb: 'show',
    heavy: true,
    schema: z => z.strictObject({
      ip: z.string().max(64).optional(),
      limit: z.int().min(1).max(SHOW_PAGE_MAX).optional(),
      offset: z.int().min(0).optional()
    }),
    handle: async (s, args) => {
      if (args.ip !== undefined) {
        const key = (await import('./checks.ts')).subjectArg(args.ip)
        const e = await s.engine.explain(key)
        // the address may be inside a prefix ban (an ipv6mask of 64 bans the /64)
        const outer = e.ban === undefined ? s.engine.containing(key) : undefined
        if (outer === undefined) {
          return { ...e, counters: s.detector?.counters(key) ?? [], pending: s.actions.pending(key) }
        }
        const o = await s.engine.explain(outer.key)
        return {
          ...o,
          protected: e.protected,
          contains: key,
          counters: s.detector?.counters(outer.key) ?? [],
          pending: s.actions.pending(outer.key)
        }
      }
      const limit = args.limit ?? SHOW_PAGE_MAX
      const offset = args.offset ?? 0
      // listings are built once per ban generation, then sliced: a page costs its own size, not a
      // sort of every ban (1,000 clients asking at once with 20,000 bans stalled the daemon 7.7 s)
      const all = s.listings.bansByEnd()
      // counters and pending actions come with the first page, capped: the CLI prints their totals
      const counters = offset === 0 ? s.detector?.counters() ?? [] : []
      const pending = offset === 0 ? s.actions.pending() : []
      return {
        bans: all.slice(offset, offset + limit),
        total: all.length,
        offset,
        counters: counters.slice(0, SHOW_PAGE_MAX),
        countersTotal: counters.length,
        pending: pending.slice(0, SHOW_PAGE_MAX),
        pendingTotal: pending.length,
        // streams that are not simply running, or that wait for a file or glob: what an admin must look at
        streams: offset === 0
          ? (s.detector?.streamStatus() ?? []).filter(x => x.state !== 'running' || (x.missing ?? []).length > 0)
          : []
      }
    }
  },
  call: async i => {
    const t = targetsOf(i.args[0] as string[])
    const limit = i.opts.limit as string | undefined
    const filtered = limit !== undefined || Object.keys(t.patterns).length > 0
    if (t.ip !== undefined && !filtered) return await i.ask('show', { ip: t.ip }) as ShowOne
    const all = await showAll(i)
    if (!filtered && t.ip === undefined) return all
    const { selection } = await import('../selection.ts')
    return narrow(all, selection({ limit, patterns: t.patterns, ip: t.ip }))
  },
  print: r => 'votes' in r ? renderOne(r, Date.now()) : renderAll(r, Date.now())
})

// one bounded page per request: the daemon answers other clients between pages
async function showAll (i: CliInput): Promise<ShowAll> {
  const first = await i.ask('show', { offset: 0 }) as ShowAll
  const bans = [...first.bans]
  while (first.total !== undefined && bans.length < first.total) {
    const page = await i.ask('show', { offset: bans.length }) as ShowAll
    if (page.bans.length === 0) break
    bans.push(...page.bans)
  }
  return { ...first, bans, total: bans.length }
}

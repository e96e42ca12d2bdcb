import type { Ban } from '../../common/model.ts'
import { unbanned } from './ban.ts'
import { shownKey } from './print.ts'
import { targetsOf } from './targets.ts'
import { command } from './types.ts'

interface Flushed { lifted: Array<Ban & { contains?: string }>, counters: number }

/**
 * reaction's `flush`: with one address, `unban` it; with NAME=REGEX words and/or `-l
 * STREAM[.FILTER]`, lift every ban they select; with nothing, lift every ban. Counting matches of
 * what is flushed are forgotten too.
 */
export const flush = command<{ ip?: string, limit?: string, patterns?: Record<string, unknown> }, Flushed>({
  socket: {
    verb: 'flush',
    heavy: true,
    schema: z => z.strictObject({
      ip: z.string().max(64).optional(),
      limit: z.string().max(256).optional(),
      // the regexes' own bounds (count, length) are checked with their names by selection.ts
      patterns: z.record(z.string().max(64), z.unknown()).optional()
    }),
    handle: async (s, a) => {
      const select = (await import('./checks.ts')).selection(a)
      const lifted: Ban[] = []
      for (const b of s.engine.bans().filter(select.ban)) {
        const decision = await s.engine.unban(b.key)
        await s.detector?.reset(b.key)
        if (decision !== null) lifted.push(decision.ban)
      }
      // counting matches are forgotten too, as reaction's flush removes them
      const counters = (s.detector?.counters() ?? []).filter(select.counter)
      for (const key of new Set(counters.map(c => c.key))) await s.detector?.reset(key)
      await s.firewall.settled()
      return { lifted, counters: counters.length }
    }
  },
  call: async i => {
    const t = targetsOf(i.args[0] as string[])
    const limit = i.opts.limit as string | undefined
    if (t.ip !== undefined && limit === undefined && Object.keys(t.patterns).length === 0) {
      return { lifted: [await i.ask('unban', { ip: t.ip }) as Ban], counters: 0 }
    }
    return await i.ask('flush', { ip: t.ip, limit, patterns: t.patterns }) as Flushed
  },
  print: (r, i) => {
    const words = i.args[0] as string[]
    // one address: said as unban says it
    if (words.length === 1 && !words[0].includes('=') && i.opts.limit === undefined && r.lifted.length === 1) {
      return unbanned(r.lifted[0])
    }
    const subjects = r.lifted.map(b => b.ip ?? shownKey(b.key))
    const list = subjects.length > 0 ? `: ${subjects.join(' ')}` : ''
    return `flushed ${subjects.length} ban${subjects.length === 1 ? '' : 's'}${list}; ${r.counters} counter${r.counters === 1 ? '' : 's'} forgotten`
  }
})

import { ErrorCodes, palisadeError } from '../../common/errors.ts'
import { isoTime } from '../../common/duration.ts'
import type { Ban } from '../../common/model.ts'
import { command } from './types.ts'

export const trigger = command<{ filter: string, values: Record<string, string> }, Ban | null>({
  socket: {
    verb: 'trigger',
    schema: z => z.strictObject({
      filter: z.string().min(1).max(256),
      values: z.record(z.string().max(64), z.string().max(1024))
    }),
    handle: async (s, a) => {
      const f = s.config.filter(a.filter)
      if (f === undefined) throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, `no filter ${JSON.stringify(a.filter)}; filters are named STREAM.FILTER`)
      // the normalisation a log line's captures get (mask, ignore lists), then the vote detection casts
      const { triggerVote } = await import('../../decide/local-vote.ts')
      const vote = triggerVote(f, s.config.patterns(), a.values, s.config.trust().localWeight, s.now())
      const decision = await s.engine.vote(vote)
      await s.firewall.settled()
      return decision?.ban ?? null
    }
  },
  request: i => {
    const values: Record<string, string> = {}
    for (const p of i.args[1] as string[]) {
      const eq = p.indexOf('=')
      if (eq <= 0) throw palisadeError(ErrorCodes.CLI_USAGE, `expected name=value, got ${JSON.stringify(p)}`)
      values[p.slice(0, eq)] = p.slice(eq + 1)
    }
    return { filter: i.args[0], values }
  },
  print: (b, i) => {
    const f = String(i.args[0])
    return b === null ? `${f} triggered; no ban (protected address or below threshold)` : `${f} triggered: ${b.ip ?? b.key} until ${isoTime(b.until)}`
  }
})

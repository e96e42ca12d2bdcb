import { ErrorCodes, palisadeError } from '../../common/errors.ts'
import { isoTime, parseDuration } from '../../common/duration.ts'
import type { Ban } from '../../common/model.ts'
import { command } from './types.ts'

type Lifted = Ban & { contains?: string }

export const ban = command<{ ip: string, for?: string, reason?: string, share?: boolean }, Ban | undefined>({
  socket: {
    verb: 'ban',
    schema: z => z.strictObject({
      ip: z.string().max(64),
      for: z.string().max(64).optional(),
      reason: z.string().max(1024).optional(),
      share: z.boolean().optional()
    }),
    handle: async (s, a) => {
      const { subjectArg } = await import('./checks.ts')
      const { manualVote } = await import('../../decide/local-vote.ts')
      const subject = subjectArg(a.ip)
      const trust = s.config.trust()
      const ttl = a.for === undefined ? trust.banFor : parseDuration(a.for)
      const reason = a.reason === '' ? undefined : a.reason
      const vote = manualVote({ subject, ttl, reason, share: a.share === true }, trust, s.now())
      const decision = await s.engine.vote(vote)
      await s.firewall.settled()
      return decision?.kind === 'ban' ? decision.ban : s.engine.get(subject)
    }
  },
  request: i => {
    const o = i.opts as { for?: string, reason?: string, share?: boolean }
    // refused here, before the daemon is asked: nothing is stored for a duration out of bounds
    if (o.for !== undefined) parseDuration(o.for)
    return { ip: i.args[0], for: o.for, reason: o.reason, share: o.share === true }
  },
  print: (b, i) => b === undefined ? `${String(i.args[0])}: no ban made` : `banned ${b.ip ?? b.key} until ${isoTime(b.until)}`
})

export const unban = command<{ ip: string }, Lifted>({
  socket: {
    verb: 'unban',
    schema: z => z.strictObject({ ip: z.string().max(64) }),
    handle: async (s, a) => {
      const ip = (await import('./checks.ts')).subjectArg(a.ip)
      // an address inside a prefix ban lifts that prefix, and says so
      const key = s.engine.get(ip) === undefined ? s.engine.containing(ip)?.key ?? ip : ip
      const decision = await s.engine.unban(key)
      await s.detector?.reset(key)
      await s.firewall.settled()
      if (decision === null) throw palisadeError(ErrorCodes.DECIDE_NOT_BANNED, `${ip} is not banned here`)
      return key === ip ? decision.ban : { ...decision.ban, contains: ip }
    }
  },
  request: i => ({ ip: i.args[0] }),
  print: b => unbanned(b)
})

export const unbanned = (b: Lifted): string => `unbanned ${b.ip ?? b.key}${b.contains !== undefined ? ` (contains ${b.contains})` : ''}`

import { ErrorCodes, palisadeError } from '../../common/errors.ts'
import type { Ban } from '../../common/model.ts'
import type { BansByOrigin } from '../../decide/lookup.ts'
import type { FeedCache, FeedFormat } from '../feed.ts'
import type { ControlVerb } from '../protocol.ts'
import type { ControlStages } from '../stages.ts'
import { checkArgs } from './arg-check.ts'
import { ARG_SCHEMAS } from './arg-schemas.ts'
import { COMMANDS, loadAll } from './table.ts'
import type { CommandContext, CommandEntry } from './types.ts'

/**
 * The daemon's side of the command table: one verb per entry with a socket side, its arguments
 * checked against the entry's schema (compiled from its zod schema: arg-check.ts) before the
 * handler sees them. Loaded by the control server on its first request (src/daemon-control.ts).
 */
export async function socketVerbs (stages: ControlStages, table: readonly CommandEntry[] = COMMANDS):
Promise<Map<string, ControlVerb>> {
  const ctx: CommandContext = Object.assign(Object.create(stages) as ControlStages, { listings: listings(stages) })
  const verbs = new Map<string, ControlVerb>()
  for (const { impl } of await loadAll(table)) {
    const side = impl.socket
    if (side === undefined) continue
    const schema = ARG_SCHEMAS[side.verb]
    if (schema === undefined) throw new Error(`${side.verb}: no compiled schema (node scripts/cli-doc.ts --write)`)
    verbs.set(side.verb, {
      heavy: side.heavy === true,
      run: async args => {
        const problem = checkArgs(schema, args)
        if (problem !== null) throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, `${side.verb}: ${problem}`)
        return await side.handle(ctx, args)
      }
    })
  }
  return verbs
}

/** the listings the commands share, each built once per ban generation and then sliced */
function listings (s: ControlStages): CommandContext['listings'] {
  let generation = 0
  s.engine.subscribe({ name: 'control-listings', apply: () => { generation++ } })
  // the feed's renderers load with the first `palisade feed`: most daemons are never asked one
  let feed: Promise<FeedCache> | undefined
  let sorted: { generation: number, bans: Ban[] } | undefined
  let counted: { generation: number, n: BansByOrigin } | undefined
  return {
    bansByEnd: () => {
      if (sorted?.generation !== generation) {
        sorted = { generation, bans: s.engine.bans().sort((a, b) => a.until - b.until || (a.key < b.key ? -1 : 1)) }
      }
      return sorted.bans
    },
    byOrigin: () => {
      if (counted?.generation !== generation) counted = { generation, n: s.engine.byOrigin() }
      return counted.n
    },
    feed: async format => {
      feed ??= import('../feed.ts').then(({ FeedCache }) => {
        const cache = new FeedCache(() => s.engine.bans(), () => s.now())
        s.engine.subscribe(cache)
        return cache
      })
      const { FEED_FORMATS } = await import('../feed.ts')
      if (!FEED_FORMATS.includes(format as FeedFormat)) {
        throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, `unknown feed format ${JSON.stringify(format)}: txt, json or nft`)
      }
      return (await feed).render(format as FeedFormat)
    }
  }
}

import { FEED_OUTPUTS as FORMATS } from './options.ts'
import { command } from './types.ts'

export const feed = command<{ format?: typeof FORMATS[number] }, string>({
  socket: {
    verb: 'feed',
    heavy: true,
    schema: z => z.strictObject({ format: z.enum(FORMATS).optional() }),
    handle: async (s, a) => await s.listings.feed(a.format ?? 'txt')
  },
  request: i => ({ format: i.opts.format }),
  // the feed's own bytes: a script pipes them to nft or to a file
  print: text => text
})

import { command } from './types.ts'

const FORMATS = ['txt', 'json', 'nft'] as const

export const feed = command<{ format?: typeof FORMATS[number] }, string>({
  path: ['feed'],
  description: 'print the exported blocklist',
  options: [{ flags: '--format <format>', description: 'output format', choices: FORMATS, default: 'txt' }],
  socket: {
    verb: 'feed',
    heavy: true,
    schema: z => z.strictObject({ format: z.enum(FORMATS).optional() }),
    handle: async (s, a) => s.listings.feed(a.format ?? 'txt')
  },
  request: i => ({ format: i.opts.format }),
  // the feed's own bytes: a script pipes them to nft or to a file
  print: text => text
})

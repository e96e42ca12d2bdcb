import type { OptionSpec } from './types.ts'

/** `--json` on a listing */
export const JSON_OPTION: OptionSpec = { flags: '--json', description: 'print JSON' }

/** reaction's -f/--format; text (a table in a terminal) when absent */
export const FORMAT_OPTION: OptionSpec = {
  flags: '-f, --format <format>',
  description: 'output format (reaction: yaml or json)',
  choices: ['text', 'yaml', 'json']
}

/** reaction's -l/--limit on show and flush */
export const limitOption = (description: string): OptionSpec => ({ flags: '-l, --limit <stream[.filter]>', description })

/** reaction's target words after show and flush */
export const TARGETS_HELP = 'NAME=REGEX filters on pattern values'

/** `palisade feed --format` */
export const FEED_OUTPUTS = ['txt', 'json', 'nft'] as const

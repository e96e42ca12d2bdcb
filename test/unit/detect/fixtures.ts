import type { FilterConfig, PatternConfig, StreamConfig } from '../../../src/config/types.ts'

/** Config objects as the loader would produce them, with only what a test changes spelled out. */
export function ipPattern (over: Partial<PatternConfig> = {}): PatternConfig {
  return { name: 'ip', regex: '', type: 'ip', ignore: [], ignoreregex: [], ignorecidr: [], ipv4mask: 32, ipv6mask: 128, ...over }
}

export function plainPattern (name: string, regex: string, over: Partial<PatternConfig> = {}): PatternConfig {
  return { name, regex, ignore: [], ignoreregex: [], ignorecidr: [], ipv4mask: 32, ipv6mask: 128, ...over }
}

export function filter (regex: string[], over: Partial<FilterConfig> = {}): FilterConfig {
  const stream = over.stream ?? 's'
  const name = over.name ?? 'f'
  const patterns = over.patterns ?? [...new Set(regex.flatMap(r => [...r.matchAll(/(?<!\(\?P?)<([A-Za-z_]\w*)>/g)].map(m => m[1])))]
  return {
    id: `${stream}.${name}`, stream, name, regex, patterns, retry: 1, retryperiod: 0,
    duplicate: 'extend', actions: [], ban: 3_600_000, share: false, ...over
  }
}

export function commandStream (name: string, cmd: string[], filters: FilterConfig[]): StreamConfig {
  return { name, cmd, source: { kind: 'command' }, filters }
}

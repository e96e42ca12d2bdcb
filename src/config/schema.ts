import { z } from 'zod'
import {
  argv,
  bool,
  duration,
  intIn,
  named,
  nonNegInt,
  numberAbove,
  obj,
  oneOf,
  posInt,
  str,
  strList
} from './values.ts'
import { portsValue, protocolValue } from './ports.ts'

/**
 * The shape of a configuration file, key by key. Sections whose values need no cross-checks carry
 * their defaults here, beside their rules; filters keep every field optional without a default
 * because preset filters, stream-level values and user overrides are layered before defaults apply
 * (see filters.ts). docs/configuration.md documents each key.
 */
const ms = (text: string): number => {
  const m = /^(\d+)([smhd])$/.exec(text)
  if (m === null) throw new Error('bad default duration')
  return Number(m[1]) * ({ s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const)[m[2] as 's']
}

export const patternSchema = obj({
  regex: str.optional(),
  type: oneOf(['ip', 'ipv4', 'ipv6'] as const).optional(),
  ignore: strList.default([]),
  ignoreregex: strList.default([]),
  ignorecidr: strList.default([]),
  ipv4mask: intIn(0, 32, 'a prefix length from 0 to 32').optional(),
  ipv6mask: intIn(0, 128, 'a prefix length from 0 to 128').optional()
})

export const actionSchema = obj({
  // absent for a virtual action (reaction-plugins.ts writes reaction's `type: virtual` as `virtual`)
  cmd: argv.optional(),
  virtual: obj({ send: str, to: str }).optional(),
  after: duration.default(0),
  onexit: bool.default(false),
  oneshot: bool.default(false),
  ipv4only: bool.default(false),
  ipv6only: bool.default(false)
})

export const linkSchema = obj({
  id: str,
  from: strList,
  ttl: duration.default(ms('10m'))
})

export const filterSchema = obj({
  regex: strList.optional(),
  retry: posInt.optional(),
  retryperiod: duration.optional(),
  duplicate: oneOf(['extend', 'ignore', 'rerun'] as const).optional(),
  // each action is checked on its own (filters.ts)
  actions: named(z.unknown()).optional(),
  ban: duration.optional(),
  share: bool.optional(),
  link: linkSchema.optional(),
  // the traffic a ban drops (fail2ban's port / protocol); absent = everything (ports.ts)
  ports: portsValue.optional(),
  protocol: protocolValue.optional()
})

/**
 * The same keys, each dropped to undefined when invalid: after the strict parse reported an
 * entry's shape problems, its other fields still get their semantic checks (all issues at once).
 */
export function lenient<S extends z.ZodRawShape> (
  schema: z.ZodObject<S>
): z.ZodType<Partial<z.output<z.ZodObject<S>>>> {
  return z.looseObject(
    Object.fromEntries(Object.entries(schema.shape).map(([k, v]) => [k, (v as z.ZodType).optional().catch(undefined)]))
  ) as unknown as z.ZodType<Partial<z.output<z.ZodObject<S>>>>
}

export const lenientFilterSchema = lenient(filterSchema)
export const lenientPatternSchema = lenient(patternSchema)

export const streamSchema = obj({
  cmd: argv.optional(),
  // reaction ≥ 2.3: `cmd` (the default) or a plugin; checked by reaction-plugins.ts
  type: z.unknown().optional(),
  options: z.unknown().optional(),
  file: str.optional(),
  unit: str.optional(),
  journal: obj({ matches: strList }).optional(),
  preset: str.optional(),
  mode: str.optional(),
  retry: posInt.optional(),
  retryperiod: duration.optional(),
  ban: duration.optional(),
  ports: portsValue.optional(),
  protocol: protocolValue.optional(),
  // each filter is checked on its own (filters.ts) so one bad filter hides nothing of the others
  filters: named(z.unknown()).default({})
})

const firewallSchema = obj({
  backend: oneOf(['auto', 'nftables', 'iptables', 'command', 'none'] as const).default('auto'),
  hooks: z.array(oneOf(['input', 'forward'] as const)).min(1).default(['input']),
  keepOnStop: bool.default(false),
  reconcileInterval: duration.default(ms('1m')),
  table: str.default('palisade'),
  command: obj({ ban: argv.optional(), unban: argv.optional() }).optional()
})

const escalationSchema = obj({
  factor: numberAbove(1, false).default(2),
  max: duration.default(ms('30d')),
  remember: duration.default(ms('30d'))
})

const federationSchema = obj({
  collective: str,
  listen: strList.default(['/ip4/0.0.0.0/tcp/4711']),
  bootstrap: strList.default([]),
  open: bool.default(false),
  psk: str.optional(),
  redialInterval: duration.default(ms('30s')),
  maxClockSkew: duration.default(ms('5m'))
})

const peerSchema = obj({
  key: str,
  name: str.optional(),
  weight: numberAbove(0, true).default(1),
  shadow: bool.default(false)
})

const trustSchema = obj({
  threshold: numberAbove(0, false).default(2),
  quorum: posInt.default(2),
  window: duration.default(ms('24h')),
  banFor: duration.default(ms('24h')),
  localWeight: numberAbove(0, true).optional(),
  maxReportsPerPeerPerHour: posInt.default(1000),
  maxRemoteBans: nonNegInt.default(100_000),
  honorRetractions: bool.default(true),
  minPrefix4: intIn(0, 32, 'a prefix length from 0 to 32').default(24),
  minPrefix6: intIn(0, 128, 'a prefix length from 0 to 128').default(48),
  peers: z.array(peerSchema).default([])
})

export const rootSchema = obj({
  // checked entry by entry (build.ts): one bad stream must not hide the problems of the others
  patterns: named(z.unknown()).default({}),
  streams: named(z.unknown()),
  start: z.array(argv).default([]),
  stop: z.array(argv).default([]),
  state: str.optional(),
  state_directory: str.optional(),
  socket: str.optional(),
  concurrency: intIn(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'an integer').optional(),
  // reaction v1 configurations keep YAML anchors under `definitions`; reaction never read it
  definitions: z.unknown().optional(),
  // reaction ≥ 2.3's plugin binaries: the ones it ships are native here (reaction-plugins.ts)
  plugins: z.unknown().optional(),
  // reaction ≥ 2.4 rotates its state file; LevelDB compacts itself (accepted, reported as ignored)
  state_rotation_interval: z.union([z.null(), duration]).optional(),
  firewall: firewallSchema.default(firewallSchema.parse({})),
  allow: strList.default([]),
  // private, CGNAT and ULA addresses are never banned unless set false here (docs/configuration.md)
  neverBan: obj({ private: bool.default(true), cgnat: bool.default(true), ula: bool.default(true) }).default({
    private: true,
    cgnat: true,
    ula: true
  }),
  escalation: escalationSchema.optional(),
  federation: federationSchema.optional(),
  trust: trustSchema.default(trustSchema.parse({})),
  feed: obj({ listen: str.default('127.0.0.1:4712'), token: str.optional(), tokenFile: str.optional() }).optional(),
  limits: obj({
    maxTrackedKeys: posInt.default(100_000),
    maxLineBytes: posInt.default(16_384),
    actionTimeout: duration.default(ms('60s'))
  }).default({ maxTrackedKeys: 100_000, maxLineBytes: 16_384, actionTimeout: ms('60s') }),
  log: obj({
    level: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const).default('info'),
    // auto: text in a terminal, JSON otherwise (journald gets each line's priority)
    format: oneOf(['auto', 'json', 'text'] as const).default('auto')
  }).default({ level: 'info', format: 'auto' })
})

export type RawRoot = z.output<typeof rootSchema>
export type RawStream = z.output<typeof streamSchema>
export type RawFilter = z.output<typeof filterSchema>
export type RawPattern = z.output<typeof patternSchema>

/** Only the top-level key names: each section is then parsed on its own. */
export const rootKeysSchema = obj(
  Object.fromEntries(Object.keys(rootSchema.shape).map(k => [k, z.unknown().optional()]))
)

import { availableParallelism } from 'node:os'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import type { Config, PatternConfig, StreamConfig } from './types.ts'
import { z } from 'zod'
import { lenientPatternSchema, patternSchema, rootKeysSchema, rootSchema } from './schema.ts'
import type { RawRoot } from './schema.ts'
import { addZodIssues } from './zod-issues.ts'
import type { Issues } from './issues.ts'
import type { JsonnetLimits } from './jsonnet.ts'
import type { Merged } from './merge.ts'
import { buildPattern } from './patterns.ts'
import { buildStream } from './streams.ts'
import { checkSections } from './sections.ts'
import { checkPlugins } from './reaction-plugins.ts'
import type { PluginContext } from './reaction-plugins.ts'
import { Filter } from '../detect/filter.ts'
import { PalisadeError } from '../common/errors.ts'

// sockaddr_un.sun_path is 108 bytes with its terminating NUL: a longer path is cut by the kernel
// (Node binds the truncated name), so the daemon would listen somewhere no client looks
export const MAX_SOCKET_PATH_BYTES = 107

export interface ConfigEnv {
  /** running as root: system paths (/var/lib/palisade, /run/palisade) are the defaults */
  isRoot: boolean
  /** where relative paths of in-memory sources resolve from */
  cwd: string
  /** time and memory bounds of a Jsonnet evaluation (default JSONNET_LIMITS: 10 s, 1 GiB) */
  jsonnet?: JsonnetLimits
}

/** Merged raw configuration → Config, or null when any issue was found (all of them recorded). */
export function build (merged: Merged, files: string[], env: ConfigEnv, issues: Issues): Config | null {
  // each top-level key is parsed on its own: one bad section must not hide the others' problems
  const keys = rootKeysSchema.safeParse(merged.value, { reportInput: true })
  if (!keys.success) addZodIssues(keys.error, [], issues)
  const r: Partial<RawRoot> = {}
  let sectionsOk = true
  for (const [key, schema] of Object.entries(rootSchema.shape)) {
    const res = (schema as z.ZodType).safeParse(merged.value[key], { reportInput: true })
    if (res.success) (r as Record<string, unknown>)[key] = res.data
    else { addZodIssues(res.error, [key], issues); sectionsOk = false }
  }
  const rawPatterns = r.patterns ?? asMap(merged.value.patterns)
  const rawStreams = r.streams ?? asMap(merged.value.streams)

  const patterns: Record<string, PatternConfig> = {}
  const broken = new Set<string>()
  for (const [name, raw] of Object.entries(rawPatterns)) {
    const r = patternSchema.safeParse(raw ?? {}, { reportInput: true })
    let p = null
    if (r.success) p = buildPattern(name, r.data, issues)
    else {
      addZodIssues(r.error, ['patterns', name], issues)
      // the valid fields still get their checks; the pattern stays broken either way
      const l = lenientPatternSchema.safeParse(raw)
      if (l.success) buildPattern(name, { ignore: [], ignoreregex: [], ignorecidr: [], ...defined(l.data) }, issues)
    }
    if (p === null) broken.add(name)
    else patterns[name] = p
  }

  // presets are written with <ip>: a configuration that uses one without defining `ip` gets the
  // built-in IP pattern, so `streams: {ssh: {preset: sshd}}` is a whole configuration
  const usesPreset = Object.values(rawStreams).some(s => typeof s === 'object' && s !== null && 'preset' in s)
  if (usesPreset && !('ip' in rawPatterns)) {
    const p = buildPattern('ip', { type: 'ip', ignore: [], ignoreregex: [], ignorecidr: [] }, issues)
    if (p !== null) patterns.ip = p
  }

  const fileOf = (key: string): string => merged.fileOf(key) ?? files[0] ?? join(env.cwd, 'config')
  const shareDefault = merged.value.federation !== undefined
  const plugins: PluginContext = {
    issues,
    notes: [],
    virtualStreams: new Set(Object.entries(rawStreams).filter(([, s]) => asMap(s).type === 'virtual').map(([n]) => n)),
    firewallPlugins: new Set(),
    legacyVirtual: new Set()
  }
  checkPlugins(merged.value.plugins, plugins)
  const streams: Record<string, StreamConfig> = {}
  for (const [name, raw] of Object.entries(rawStreams)) {
    // a relative `file:` is relative to the file that wrote it (a stream may be split across files)
    const file = merged.fileOf(`streams.${name}.file`) ?? merged.fileOf(`streams.${name}`) ?? fileOf('streams')
    const s = buildStream(name, raw, {
      patterns,
      brokenPatterns: broken,
      shareDefault,
      issues,
      file,
      cwd: env.cwd,
      plugins
    })
    if (s !== null) streams[name] = s
  }
  if (merged.value.state_rotation_interval !== undefined) {
    plugins.notes.push('state_rotation_interval: ignored (Palisade\'s LevelDB store compacts itself; there is no state file to rotate)')
  }
  if (r.streams !== undefined && Object.keys(rawStreams).length === 0) { issues.add(['streams'], 'expected at least one stream') }

  if (r.state !== undefined && r.state_directory !== undefined) {
    issues.add(['state_directory'], '`state` and `state_directory` (its reaction name) are both set: keep one', { atKey: true })
  }
  const sections = checkSections(r, issues)
  // the very compilation `start` does, so test-config and start can never disagree on a regex
  if (issues.count === 0) {
    for (const s of Object.values(streams)) for (const f of s.filters) checkCompiles(f, patterns, issues)
  }
  if (issues.count > 0 || !sectionsOk || !isComplete(r) || sections === null) return null

  const inDirOf = (key: string, p: string): string => isAbsolute(p) ? p : resolve(env.cwd, dirname(fileOf(key)), p)
  // reaction's `state_directory` is relative to the working directory (reference/top-level.md: it
  // defaults to `.`, where reaction runs: WorkingDirectory=/var/lib/reaction in its unit files)
  const state = r.state !== undefined
    ? inDirOf('state', r.state)
    : r.state_directory !== undefined
      ? resolve(env.cwd, r.state_directory)
      : env.isRoot ? '/var/lib/palisade' : join(env.cwd, '.palisade')
  const socket = r.socket !== undefined
    ? inDirOf('socket', r.socket)
    : env.isRoot ? '/run/palisade/palisade.sock' : join(state, 'palisade.sock')
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH_BYTES) {
    issues.add(r.socket !== undefined ? ['socket'] : r.state !== undefined ? ['state'] : r.state_directory !== undefined ? ['state_directory'] : [],
      `the control socket path ${socket} is ${Buffer.byteLength(socket)} bytes; a unix socket path holds at most ${MAX_SOCKET_PATH_BYTES}` +
      (r.socket !== undefined ? '' : ' (set a shorter `socket:`)'))
    return null
  }
  const federation = sections.federation === null || sections.federation.psk === undefined
    ? sections.federation
    : { ...sections.federation, psk: inDirOf('federation', sections.federation.psk) }

  // reaction's ipset/nftables actions became bans: on the matching backend unless one was chosen
  let firewall = sections.firewall
  const fwPlugins = [...plugins.firewallPlugins]
  if (fwPlugins.length === 1 && merged.value.firewall === undefined) {
    const backend = fwPlugins[0] === 'ipset' ? 'iptables' : 'nftables'
    firewall = { ...firewall, backend }
    plugins.notes.push(`firewall.backend: ${backend} (the configuration's ${fwPlugins[0]} actions ban through it)`)
  }

  return {
    files,
    state,
    socket,
    // reaction's meaning: unset or 0 = as many actions at once as there are CPUs, negative = unlimited
    concurrency: r.concurrency === undefined || r.concurrency === 0 ? availableParallelism() : r.concurrency,
    patterns,
    streams,
    start: r.start,
    stop: r.stop,
    firewall,
    allow: sections.allow,
    neverBan: r.neverBan,
    escalation: r.escalation ?? null,
    federation,
    trust: sections.trust,
    feed: r.feed ?? null,
    limits: r.limits,
    log: r.log,
    notes: plugins.notes
  }
}

function checkCompiles (
  f: StreamConfig['filters'][number],
  patterns: Record<string, PatternConfig>,
  issues: Issues
): void {
  const at = ['streams', f.stream, 'filters', f.name]
  const tryCompile = (filter: typeof f): string | null => {
    try {
      new Filter(filter, patterns) // eslint-disable-line no-new
      return null
    } catch (err) {
      if (!(err instanceof PalisadeError)) throw err
      return err.message.startsWith(`${f.id}`) ? err.message.replace(/^[^:]*: /, '') : err.message
    }
  }
  const whole = tryCompile(f)
  if (whole === null) return
  // name the one regex at fault when there is one; otherwise the list they form together
  for (const [i, re] of f.regex.entries()) {
    const alone = tryCompile({ ...f, regex: [re], link: undefined })
    if (alone !== null) {
      issues.add([...at, 'regex', i], alone)
      return
    }
  }
  issues.add(
    f.link !== undefined && tryCompile({ ...f, link: undefined }) === null ? [...at, 'link', 'from'] : [...at, 'regex'],
    whole
  )
}

function isComplete (r: Partial<RawRoot>): r is RawRoot {
  return Object.keys(rootSchema.shape).every(k => k in r)
}

function defined<T extends object> (o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

function asMap (v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {}
}

export { deepFreeze } from '../common/freeze.ts'

import { MAX_DURATION_MS, formatDuration } from '../common/duration.ts'
import type { Issues, Path } from './issues.ts'
import { show } from './issues.ts'
import { parseDurationText } from './values.ts'

/**
 * reaction ≥ 2.3's plugins (`plugins:`, and `type:` / `options:` on streams and actions), provided
 * natively so a reaction configuration loads without any plugin binary:
 * - `virtual`: a stream fed by actions (`send` a line `to` a virtual stream), how a second-level
 *   stream such as YunoHost's recidive counts repeat offenders;
 * - `ipset` / `nftables`: actions that add an IP to a set and remove it later. They are what
 *   Palisade's own firewall backends do, so a filter's add/delete pair becomes `ban: <duration>`
 *   (the delete's `after`) on Palisade's backend instead of commands.
 * Shapes from reaction's documentation: reference/stream.md and reference/action.md (`type`,
 * `options`, v2.3.0), plugins/virtual.md, plugins/ipset.md, plugins/nftables.md.
 */
export const NATIVE_PLUGINS = ['virtual', 'ipset', 'nftables'] as const
export type NativePlugin = typeof NATIVE_PLUGINS[number]
const FIREWALL_PLUGINS = new Set(['ipset', 'nftables'])

/** keys an entry of `plugins:` may hold in reaction; none of them means anything to Palisade */
const PLUGIN_ENTRY_KEYS = new Set(['path', 'check_root', 'systemd', 'systemd_options'])
/** ipset/nftables action options (plugins/ipset.md, plugins/nftables.md: action and set options) */
const SET_OPTIONS = new Set(['set', 'action', 'pattern', 'version', 'chains', 'timeout', 'target', 'hooks'])

export interface PluginContext {
  issues: Issues
  /** what Palisade made of reaction's keys, for test-config */
  notes: string[]
  /** names of the streams with `type: virtual` */
  virtualStreams: ReadonlySet<string>
  /** firewall plugins the filters used (for the backend choice) */
  firewallPlugins: Set<string>
  /** dotted paths of virtual actions written without `options` (an older form of the docs) */
  legacyVirtual: Set<string>
}

function unknownPlugin (name: string): string {
  return `unknown plugin \`${name}\`; Palisade provides reaction's plugins ${NATIVE_PLUGINS.join(', ')} natively (no external binary)` +
    ' and does not run others'
}

function isMap (v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** The top-level `plugins:` map: each entry names a plugin binary reaction would start. */
export function checkPlugins (raw: unknown, ctx: PluginContext): void {
  if (raw === undefined || raw === null) return
  if (!isMap(raw)) { ctx.issues.add(['plugins'], `expected a map of plugin names, got ${show(raw)}`); return }
  for (const [name, entry] of Object.entries(raw)) {
    if (!(NATIVE_PLUGINS as readonly string[]).includes(name)) {
      ctx.issues.add(['plugins', name], unknownPlugin(name), { atKey: true })
      continue
    }
    if (entry !== null && !isMap(entry)) { ctx.issues.add(['plugins', name], `expected a map (path, systemd_options...), got ${show(entry)}`); continue }
    const extra = Object.keys(entry ?? {}).filter(k => !PLUGIN_ENTRY_KEYS.has(k))
    ctx.notes.push(`plugins.${name}: provided natively; ${['path', ...extra].join(', ')} ignored (no plugin binary runs)`)
  }
}

/**
 * A stream's `type`: undefined or `cmd` → an ordinary stream; `virtual` → fed by virtual actions.
 * Returns null (reported) for a plugin Palisade does not provide.
 */
export function streamType (name: string, raw: Record<string, unknown>, ctx: PluginContext): 'cmd' | 'virtual' | null {
  const t = raw.type
  const at = ['streams', name, 'type']
  if (t === undefined || t === 'cmd') return 'cmd'
  if (t === 'virtual') {
    if (raw.cmd !== undefined) ctx.issues.add(['streams', name, 'cmd'], 'a `type: virtual` stream is fed by virtual actions: it has no `cmd`', { atKey: true })
    if (raw.options !== undefined && !(isMap(raw.options) && Object.keys(raw.options).length === 0)) {
      ctx.notes.push(`streams.${name}.options: ignored (a virtual stream has no options)`)
    }
    return 'virtual'
  }
  if (typeof t !== 'string' || t === '') { ctx.issues.add(at, `expected a stream type such as "cmd" or "virtual", got ${show(t)}`); return null }
  ctx.issues.add(at, unknownPlugin(t) + (FIREWALL_PLUGINS.has(t) ? ` (\`${t}\` provides actions, not streams)` : ''))
  return null
}

interface SetAction {
  name: string
  plugin: string
  op: 'add' | 'del'
  after: number | null
  set: string
  timeout: number | null
}

/**
 * One filter's actions with reaction's plugin types resolved: `type: cmd` dropped, virtual actions
 * written as `virtual: {send, to}`, ipset/nftables actions removed and turned into `ban` (returned).
 * `filterBan` is the filter's own `ban:`, which wins over the plugin actions.
 */
export function resolveActions (actions: Record<string, unknown>, at: Path, filterBan: number | undefined,
  ctx: PluginContext): { actions: Record<string, unknown>, ban?: number } {
  const out: Record<string, unknown> = {}
  const sets: SetAction[] = []
  for (const [name, raw] of Object.entries(actions)) {
    const aat = [...at, name]
    if (!isMap(raw)) { out[name] = raw; continue }
    const { type, options, ...rest } = raw
    const legacyVirtual = type === undefined && ('send' in raw || 'to' in raw)
    if (type === undefined && !legacyVirtual) {
      if (options !== undefined) ctx.issues.add([...aat, 'options'], '`options` goes with a plugin `type` (virtual, ipset, nftables)', { atKey: true })
      out[name] = raw
      continue
    }
    if (type === 'cmd') {
      if (options !== undefined) ctx.notes.push(`${aat.join('.')}.options: ignored (a \`type: cmd\` action has none)`)
      out[name] = rest
      continue
    }
    if (type === 'virtual' || legacyVirtual) {
      const opts = legacyVirtual ? raw : options
      const oat = legacyVirtual ? aat : [...aat, 'options']
      if (legacyVirtual) ctx.legacyVirtual.add(aat.join('.'))
      const v = virtualOptions(opts, oat, ctx)
      const { send: _s, to: _t, ...others } = rest
      if (v !== null) out[name] = { ...others, virtual: v }
      continue
    }
    if (typeof type === 'string' && FIREWALL_PLUGINS.has(type)) {
      const s = setAction(name, type, options, rest, aat, ctx)
      if (s !== null) sets.push(s)
      continue
    }
    ctx.issues.add([...aat, 'type'], typeof type === 'string' && type !== ''
      ? unknownPlugin(type)
      : `expected an action type such as "cmd", "virtual", "ipset" or "nftables", got ${show(type)}`)
  }
  if (sets.length === 0) return { actions: out }
  for (const s of sets) ctx.firewallPlugins.add(s.plugin)
  const where = at.slice(0, -1).join('.')
  const names = sets.map(s => s.name).join(', ')
  const setNames = [...new Set(sets.map(s => `${s.plugin} set \`${s.set}\``))].join(', ')
  if (filterBan !== undefined) {
    ctx.notes.push(`${where}: actions ${names} (${setNames}) dropped: the filter's own \`ban: ${formatDuration(filterBan)}\` bans on Palisade's firewall backend`)
    return { actions: out }
  }
  const adds = sets.filter(s => s.op === 'add')
  if (adds.length === 0) {
    ctx.notes.push(`${where}: actions ${names} (${setNames}) dropped: they only delete from a set, and Palisade's bans end by themselves`)
    return { actions: out }
  }
  if (adds.some(s => s.after !== null && s.after > 0)) {
    ctx.notes.push(`${where}: a delayed ${adds[0].plugin} add (\`after\`) bans at once on Palisade's firewall backend`)
  }
  const dels = sets.filter(s => s.op === 'del' && s.after !== null).map(s => s.after as number)
  // set options are shared by every action of the set (plugins/ipset.md "Set Options")
  const timeouts = sets.filter(s => s.timeout !== null).map(s => s.timeout as number)
  let ban: number
  let why: string
  if (dels.length > 0) { ban = Math.max(...dels); why = 'the delete action\'s `after`' } else if (timeouts.length > 0) { ban = Math.max(...timeouts); why = 'the set\'s `timeout`' } else {
    ban = MAX_DURATION_MS
    why = 'no delete action: the longest ban Palisade holds'
  }
  ctx.notes.push(`${where}: actions ${names} (${setNames}) became \`ban: ${formatDuration(ban)}\` (${why}) on Palisade's firewall backend`)
  return { actions: out, ban }
}

function virtualOptions (opts: unknown, at: Path, ctx: PluginContext): { send: string, to: string } | null {
  if (!isMap(opts)) { ctx.issues.add(at, `a virtual action needs \`options: {send: "<ip>", to: STREAM}\`, got ${show(opts)}`); return null }
  const { send, to } = opts
  let ok = true
  if (typeof send !== 'string' || send === '') { ctx.issues.add([...at, 'send'], `expected the line to send, such as "<ip>", got ${show(send)}`); ok = false }
  if (typeof to !== 'string' || to === '') { ctx.issues.add([...at, 'to'], `expected the name of a \`type: virtual\` stream, got ${show(to)}`); return null }
  if (!ctx.virtualStreams.has(to)) {
    const known = [...ctx.virtualStreams]
    ctx.issues.add([...at, 'to'], `\`${to}\` is not a \`type: virtual\` stream` + (known.length > 0 ? ` (virtual streams: ${known.join(', ')})` : ' (no stream has `type: virtual`)'))
    ok = false
  }
  return ok ? { send: send as string, to } : null
}

function setAction (
  name: string,
  plugin: string,
  options: unknown,
  rest: Record<string, unknown>,
  at: Path,
  ctx: PluginContext
): SetAction | null {
  if (!isMap(options)) {
    ctx.issues.add(at, `a ${plugin} action needs \`options: {set: NAME, action: add}\`, got ${show(options)}`)
    return null
  }
  const set = options.set
  if (typeof set !== 'string' || set === '') {
    ctx.issues.add([...at, 'options', 'set'], `expected the name of the ${plugin} set, got ${show(set)}`)
    return null
  }
  const op = options.action ?? 'add'
  const dels = plugin === 'ipset' ? ['del'] : ['delete', 'del']
  if (op !== 'add' && !dels.includes(op as string)) {
    ctx.issues.add([...at, 'options', 'action'], `expected add or ${dels[0]}, got ${show(op)}`)
    return null
  }
  let after: number | null = null
  if (rest.after !== undefined) {
    after = typeof rest.after === 'string' ? parseDurationText(rest.after) : null
    if (after === null) {
      ctx.issues.add([...at, 'after'], `expected a duration such as "48h", got ${show(rest.after)}`)
      return null
    }
  }
  let timeout: number | null = null
  if (options.timeout !== undefined) {
    timeout = typeof options.timeout === 'string' ? parseDurationText(options.timeout) : null
    if (timeout === null) { ctx.notes.push(`${at.join('.')}.options.timeout: ignored (not a duration: ${show(options.timeout)})`) }
  }
  const ignored = [
    ...Object.keys(options).filter(k => !SET_OPTIONS.has(k) || ['version', 'chains', 'target', 'hooks'].includes(k)),
    ...Object.keys(rest).filter(k => k !== 'after')
  ]
  if (ignored.length > 0) {
    ctx.notes.push(
      `${at.join('.')}: ${ignored.join(', ')} ignored (Palisade's backend keeps its own table, hooks and families)`
    )
  }
  return { name, plugin, op: op === 'add' ? 'add' : 'del', after, set, timeout }
}

import { dirname, resolve } from 'node:path'
import { getPreset, presetNames } from './presets/index.ts'
import type { PresetFilter } from './presets/index.ts'
import type { FilterConfig, StreamConfig, StreamSource } from './types.ts'
import type { Issues, Path } from './issues.ts'
import { filterSchema, lenientFilterSchema, streamSchema } from './schema.ts'
import type { RawFilter, RawStream } from './schema.ts'
import { addZodIssues } from './zod-issues.ts'
import { buildFilter } from './filters.ts'
import type { FilterContext } from './filters.ts'
import { resolveActions, streamType } from './reaction-plugins.ts'
import type { PluginContext } from './reaction-plugins.ts'

/**
 * One stream: where its lines come from (a command, a followed file, the journal, or "the file if
 * it exists, else the journal") and its filters, with preset filters layered under stream-level
 * values and the user's own filter fields.
 */
export interface StreamContext extends Omit<FilterContext, 'stream'> {
  /** file that defined the stream, for relative `file:` paths */
  file: string
  cwd: string
  plugins: PluginContext
}

function defined<T extends object> (o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

/** The filter's fields; `partial` when some were invalid (reported) and dropped. */
function parseFilter (raw: unknown, at: Path, issues: Issues): { raw: RawFilter, partial: boolean } | null {
  const r = filterSchema.safeParse(raw ?? {}, { reportInput: true })
  if (r.success) return { raw: r.data, partial: false }
  addZodIssues(r.error, at, issues)
  const lenient = lenientFilterSchema.safeParse(raw)
  return lenient.success ? { raw: lenient.data, partial: true } : null
}

function unitMatch (unit: string): string {
  return `_SYSTEMD_UNIT=${unit.includes('.') ? unit : unit + '.service'}`
}

function source (
  name: string, s: RawStream, presetSource: { file?: string, journal?: string[], syslogForm?: boolean } | undefined,
  ctx: StreamContext
): { cmd: string[], source: StreamSource } | null {
  const at = ['streams', name]
  const { issues } = ctx
  if (s.cmd !== undefined && (s.file ?? s.unit ?? s.journal) !== undefined) {
    issues.add([...at, 'cmd'], '`cmd` cannot be combined with `file`, `unit` or `journal`: a stream reads one source', { atKey: true })
    return null
  }
  if (s.unit !== undefined && s.journal !== undefined) {
    issues.add([...at, 'journal'], 'give either `unit` or `journal`, not both', { atKey: true })
    return null
  }
  if (s.cmd !== undefined) return { cmd: s.cmd, source: { kind: 'command' } }
  let matches = s.unit !== undefined ? [unitMatch(s.unit)] : s.journal?.matches
  let file = s.file === undefined ? undefined : resolve(ctx.cwd, dirname(ctx.file), s.file)
  if (file === undefined && matches === undefined && presetSource !== undefined) {
    file = presetSource.file
    matches = presetSource.journal
  }
  for (const [i, m] of (s.journal?.matches ?? []).entries()) {
    if (m !== '+' && !/^[A-Z0-9_]+=/.test(m)) issues.add([...at, 'journal', 'matches', i], `expected a journal match FIELD=VALUE such as "_SYSTEMD_UNIT=ssh.service", got ${JSON.stringify(m)}`)
  }
  if (matches !== undefined && matches.length === 0) issues.add([...at, 'journal', 'matches'], 'expected a non-empty list of journal matches')
  // the preset's link is keyed by syslog's `prog[pid]:`: journal entries take that form
  const syslogForm = presetSource?.syslogForm === true ? { syslogForm: true } : {}
  const journalCmd = (ms: string[]): string[] => ['journalctl', '--follow', '--lines=0', '--output=json', ...ms]
  if (file !== undefined) {
    return {
      cmd: ['tail', '-n0', '-F', file],
      source: {
        kind: 'file', path: file, ...(matches === undefined ? {} : { orJournal: matches, ...syslogForm })
      }
    }
  }
  if (matches !== undefined) return { cmd: journalCmd(matches), source: { kind: 'journal', matches, ...syslogForm } }
  issues.add(at, 'a stream needs a source: `cmd` (argv), `file`, `unit` or `journal`')
  return null
}

function virtualSource (
  name: string, s: RawStream, ctx: StreamContext
): { cmd: string[], source: StreamSource } | null {
  for (const key of ['file', 'unit', 'journal', 'preset'] as const) {
    if (s[key] !== undefined) {
      ctx.issues.add(
        ['streams', name, key],
        `a \`type: virtual\` stream is fed by virtual actions: it reads no \`${key}\``,
        { atKey: true }
      )
      return null
    }
  }
  return { cmd: [], source: { kind: 'virtual' } }
}

function presetRaw (f: PresetFilter): Record<string, unknown> {
  return defined({ regex: f.regex, retry: f.retry, retryperiod: f.retryperiod, ban: f.ban, link: f.link })
}

export function buildStream (name: string, raw: unknown, ctx: StreamContext): StreamConfig | null {
  const at = ['streams', name]
  const { issues } = ctx
  const before = issues.count
  const type = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? streamType(name, raw as Record<string, unknown>, ctx.plugins) : 'cmd'
  const parsed = streamSchema.safeParse(raw ?? {}, { reportInput: true })
  if (!parsed.success) { addZodIssues(parsed.error, at, issues); return null }
  const s = parsed.data
  // stream-level values are defaults for the user's filters and override a preset's
  const streamLevel = defined({
    retry: s.retry, retryperiod: s.retryperiod, ban: s.ban, ports: s.ports, protocol: s.protocol
  })
  const layers = new Map<string, { raw: RawFilter, preset?: string, partial?: boolean }>()
  let presetSource: { file?: string, journal?: string[] } | undefined
  const trusted = new Set<string>()
  if (s.preset === undefined && s.mode !== undefined) { issues.add([...at, 'mode'], '`mode` needs `preset`', { atKey: true }) }
  if (s.preset !== undefined) {
    const preset = getPreset(s.preset)
    if (preset === undefined) {
      const names = presetNames()
      issues.add([...at, 'preset'], `unknown preset \`${s.preset}\`; ` + (names.length > 0 ? `known presets: ${names.join(', ')}` : 'no presets are available'))
    } else {
      const mode = s.mode ?? preset.defaultMode
      if (!preset.modes.includes(mode)) {
        issues.add([...at, 'mode'], `unknown mode \`${mode}\` for preset \`${preset.name}\`; modes: ${preset.modes.join(', ')}`)
      } else {
        presetSource = preset.source
        for (const pf of preset.filters(mode)) {
          for (const r of [...pf.regex, ...(pf.link?.from ?? [])]) trusted.add(r)
          const r = parseFilter(presetRaw(pf), [...at, 'filters', pf.name], issues)
          if (r !== null) {
            layers.set(pf.name, {
              raw: { ...r.raw, ...streamLevel },
              preset: `${preset.name}:${mode}`,
              partial: r.partial
            })
          }
        }
      }
    }
  }
  for (const [fname, fraw] of Object.entries(s.filters)) {
    const r = parseFilter(fraw, [...at, 'filters', fname], issues)
    if (r === null) continue
    const base = layers.get(fname)
    layers.set(
      fname,
      base === undefined
        ? { raw: { ...streamLevel, ...defined(r.raw) }, partial: r.partial }
        : {
            raw: { ...base.raw, ...defined(r.raw) },
            partial: r.partial || base.partial === true,
            ...(base.preset === undefined ? {} : { preset: base.preset })
          }
    )
  }
  const src =
    type === 'virtual' ? virtualSource(name, s, ctx) : type === null ? null : source(name, s, presetSource, ctx)
  if (layers.size === 0 && issues.count === before) issues.add(at, 'a stream needs at least one filter (under `filters`, or from `preset`)')
  const fctx: FilterContext = { ...ctx, stream: name, trusted, legacyVirtual: ctx.plugins.legacyVirtual }
  const filters: FilterConfig[] = []
  for (const [fname, layer] of layers) {
    let fraw = layer.raw
    let partial = layer.partial === true
    if (fraw.actions !== undefined) {
      const n = issues.count
      const r = resolveActions(fraw.actions, [...at, 'filters', fname, 'actions'], fraw.ban, ctx.plugins)
      fraw = { ...fraw, actions: r.actions, ...(r.ban === undefined ? {} : { ban: r.ban }) }
      // a refused plugin action was dropped: "this filter does nothing" would only be noise
      if (issues.count > n) partial = true
    }
    const f = buildFilter(fname, fraw, [...at, 'filters', fname], fctx, { preset: layer.preset, partial })
    if (f !== null) filters.push(f)
  }
  if (src === null || issues.count > before) return null
  return { name, cmd: src.cmd, source: src.source, filters }
}

import type { ActionConfig, FilterConfig, LinkConfig, PatternConfig } from './types.ts'
import { closest } from './issues.ts'
import type { Issues, Path } from './issues.ts'
import { compileError, riskRefused, userRegex } from './patterns.ts'
import { actionSchema } from './schema.ts'
import type { RawFilter } from './schema.ts'
import { addZodIssues } from './zod-issues.ts'
import { banScopeOf } from './ports.ts'

/**
 * Semantic checks of one filter once its layers (preset, stream-level values, user fields) are
 * combined: regexes compile after `<pattern>` substitution, placeholders name defined patterns,
 * actions only use what the filter captures. Messages are located under `at`.
 */
export interface FilterContext {
  stream: string
  patterns: Readonly<Record<string, PatternConfig>>
  /** patterns that failed their own checks: placeholders naming them are not reported again */
  brokenPatterns: ReadonlySet<string>
  shareDefault: boolean
  issues: Issues
  /** regexes shipped by presets: their backtracking is checked by a unit test, not at each load */
  trusted?: ReadonlySet<string>
  /** dotted paths of virtual actions written reaction's older way (`send`/`to` without `options`) */
  legacyVirtual?: ReadonlySet<string>
}

// `(?<name>` and `\k<name>` are regex syntax, not placeholders
const PLACEHOLDER = /(?<!\(\?|\\k)<([A-Za-z_][A-Za-z0-9_]*)>/g

/** Pattern names a regex uses, in order; reports unknown names and repeats. null when unusable. */
function substitute (regex: string, at: Path, ctx: FilterContext): { names: string[], source: string } | null {
  const names: string[] = []
  let ok = true
  const js = userRegex(regex, at, ctx.issues, { placeholders: true })
  if (js === null) return null
  const source = js.replace(PLACEHOLDER, (whole, name: string) => {
    const p = ctx.patterns[name]
    if (p === undefined) {
      if (!ctx.brokenPatterns.has(name)) {
        const known = [...Object.keys(ctx.patterns), ...ctx.brokenPatterns]
        const near = closest(name, known)
        ctx.issues.add(at, `unknown pattern \`<${name}>\`` + (near !== undefined
          ? `; did you mean \`<${near}>\`?`
          : known.length > 0 ? ` (defined patterns: ${known.join(', ')})` : ' (no patterns are defined)'))
      }
      ok = false
      return whole
    }
    if (names.includes(name)) {
      ctx.issues.add(at, `pattern \`<${name}>\` appears twice in one regex; a regex captures each pattern once`)
      ok = false
      return whole
    }
    names.push(name)
    return `(?<${name}>${p.regex})`
  })
  if (!ok) return null
  const err = compileError(source)
  if (err !== null) {
    ctx.issues.add(at, `invalid regex: ${err}`)
    return null
  }
  if (!ctx.trusted?.has(regex) && !riskRefused(source, at, ctx.issues)) return null
  return { names, source }
}

function buildLink (raw: NonNullable<RawFilter['link']>, at: Path, ctx: FilterContext, used: string[]): LinkConfig {
  const err = compileError(raw.id)
  if (err !== null) ctx.issues.add([...at, 'id'], `invalid regex: ${err}`)
  else if (!/\(\?<id>/.test(raw.id)) ctx.issues.add([...at, 'id'], 'expected a regex with a named group `(?<id>...)` holding the connection id')
  if (raw.from.length === 0) ctx.issues.add([...at, 'from'], 'expected a non-empty list of regexes')
  raw.from.forEach((r, i) => {
    const s = substitute(r, [...at, 'from', i], ctx)
    if (s !== null && s.names.length === 0) {
      ctx.issues.add([...at, 'from', i], 'a link `from` regex must contain a pattern such as <ip>: it binds the id to that value')
    }
    for (const n of s?.names ?? []) if (!used.includes(n)) used.push(n)
  })
  return { id: raw.id, from: raw.from, ttl: raw.ttl }
}

function buildAction (name: string, input: unknown, at: Path, filterId: string,
  used: readonly string[], ctx: FilterContext): ActionConfig | null {
  const parsed = actionSchema.safeParse(input ?? {}, { reportInput: true })
  if (!parsed.success) { addZodIssues(parsed.error, at, ctx.issues); return null }
  const raw = parsed.data
  if (raw.cmd === undefined && raw.virtual === undefined) { ctx.issues.add(at, 'missing required key `cmd`'); return null }
  if (raw.cmd !== undefined && raw.virtual !== undefined) ctx.issues.add([...at, 'cmd'], 'a virtual action sends a line: it has no `cmd`', { atKey: true })
  const texts: Array<[Path, string]> = raw.virtual !== undefined
    ? [[[...at, ...(ctx.legacyVirtual?.has(at.join('.')) === true ? [] : ['options']), 'send'], raw.virtual.send]]
    : (raw.cmd ?? []).map((arg, i) => [[...at, 'cmd', i], arg])
  texts.forEach(([where, arg]) => {
    for (const m of arg.matchAll(/<([A-Za-z_][A-Za-z0-9_]*)>/g)) {
      if (!used.includes(m[1]) && !ctx.brokenPatterns.has(m[1])) {
        ctx.issues.add(where, `\`<${m[1]}>\` is not a pattern this filter captures` +
          (used.length > 0 ? ` (it captures: ${used.map(u => `<${u}>`).join(', ')})` : ' (it captures none)'))
      }
    }
  })
  if (raw.ipv4only && raw.ipv6only) ctx.issues.add([...at, 'ipv6only'], '`ipv4only` and `ipv6only` cannot both be true', { atKey: true })
  if ((raw.ipv4only || raw.ipv6only) && !used.some(u => ctx.patterns[u]?.type !== undefined)) {
    ctx.issues.add([...at, raw.ipv4only ? 'ipv4only' : 'ipv6only'], 'ipv4only/ipv6only need the filter to capture an IP pattern (`type: ip`)', { atKey: true })
  }
  const { cmd, virtual, ...rest } = raw
  return { id: `${filterId}.${name}`, name, cmd: cmd ?? [], ...(virtual === undefined ? {} : { virtual }), ...rest }
}

/** `partial`: some fields were invalid and dropped (already reported): skip checks that need them. */
export function buildFilter (name: string, raw: RawFilter, at: Path, ctx: FilterContext,
  opts: { preset?: string, partial: boolean }): FilterConfig | null {
  const { preset, partial } = opts
  const before = ctx.issues.count
  const id = `${ctx.stream}.${name}`
  const used: string[] = []
  if (raw.regex === undefined) { if (!partial) ctx.issues.add(at, 'missing required key `regex`') } else if (raw.regex.length === 0) ctx.issues.add([...at, 'regex'], 'expected a non-empty list of regexes')
  for (const [i, r] of (raw.regex ?? []).entries()) {
    // a broken pattern was reported where it is defined; still count it as captured for actions
    for (const m of r.matchAll(PLACEHOLDER)) if (ctx.brokenPatterns.has(m[1]) && !used.includes(m[1])) used.push(m[1])
    const s = substitute(r, [...at, 'regex', i], ctx)
    if (s === null) continue
    if (s.names.length === 0 && raw.link === undefined) {
      ctx.issues.add([...at, 'regex', i], 'regex contains no pattern such as <ip>: nothing to count or ban (add a <pattern>, or `link` to attribute it)')
    }
    for (const n of s.names) if (!used.includes(n)) used.push(n)
  }
  const link = raw.link === undefined ? undefined : buildLink(raw.link, [...at, 'link'], ctx, used)
  const retry = raw.retry ?? 1
  if (retry > 1 && raw.retryperiod === undefined && !partial) {
    ctx.issues.add([...at, 'retry'], `retry ${retry} needs \`retryperiod\` (the window in which the ${retry} matches must happen)`)
  }
  const actions: ActionConfig[] = []
  for (const [an, a] of Object.entries(raw.actions ?? {})) {
    const action = buildAction(an, a, [...at, 'actions', an], id, used, ctx)
    if (action !== null) actions.push(action)
  }
  const ban = raw.ban ?? 0
  if (ban === 0 && Object.keys(raw.actions ?? {}).length === 0 && !partial) {
    ctx.issues.add(at, 'this filter does nothing: give it `ban: <duration>` or at least one action')
  }
  const scope = banScopeOf(raw.ports, raw.protocol)
  if (scope !== undefined && ban === 0 && !partial) {
    const key = raw.ports !== undefined ? 'ports' : 'protocol'
    ctx.issues.add([...at, key], `\`${key}\` limits what the filter's ban drops, but the filter has no \`ban: <duration>\``, { atKey: true })
  }
  if (ctx.issues.count > before || partial) return null
  return {
    id,
    stream: ctx.stream,
    name,
    regex: raw.regex ?? [],
    patterns: used,
    retry,
    retryperiod: retry > 1 ? raw.retryperiod ?? 0 : 0,
    duplicate: raw.duplicate ?? 'extend',
    actions,
    ban,
    share: raw.share ?? ctx.shareDefault,
    ...(scope === undefined ? {} : { scope }),
    ...(preset === undefined ? {} : { preset }),
    ...(link === undefined ? {} : { link })
  }
}

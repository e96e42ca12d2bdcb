/**
 * What a configuration reload changes, as a pure function of the running configuration and the
 * new one: the daemon applies the plan stage by stage (src/daemon.ts `reload`).
 *
 * A setting a running daemon cannot take over (where its state lives, the socket it listens on,
 * the federation's addresses and identity, the firewall backend…) keeps its running value in the
 * effective configuration and is reported as needing a restart, so nothing is ever half-applied.
 * Keys this file does not know are treated the same way: a key added to the configuration later
 * is safe until someone teaches reload to apply it.
 */
import type { Config, PatternConfig, StreamConfig } from './config/types.ts'
import { deepFreeze } from './common/freeze.ts'

export interface StreamChanges {
  added: string[]
  removed: string[]
  /** restarted with their stored checkpoint */
  changed: string[]
  /** left running untouched */
  unchanged: string[]
  /** filter ids that no longer exist: their counters are dropped */
  removedFilters: string[]
}

export interface ReloadPlan {
  streams: StreamChanges
  /** `allow` or `neverBan` changed */
  allow: boolean
  trust: boolean
  /** hooks or keepOnStop changed: the table is rebuilt in one transaction with every ban */
  firewallTable: boolean
  reconcileInterval: boolean
  logLevel: boolean
  /** other keys taken over as they are (read when used: `stop` commands) */
  applied: string[]
  /** dotted paths that keep their running value until a restart */
  restart: string[]
  /** the configuration the daemon runs from now on: the new one, with the restart-only values kept */
  effective: Config
}

export interface ReloadCapabilities {
  /** the firewall backend can rebuild its table with other hooks and keepOnStop (nftables) */
  firewallTable: boolean
  /** federation runs: it took trust.window and the minimum prefixes at start */
  federation?: boolean
}

/** trust keys the federation reads once, at start */
const FEDERATION_TRUST = ['window', 'minPrefix4', 'minPrefix6'] as const

/** top-level keys that never affect a running daemon */
const IGNORED = new Set(['files', 'notes'])
/** top-level keys applied by the plan's own fields (anything else needs a restart) */
const APPLIED = new Set(['streams', 'patterns', 'allow', 'neverBan', 'trust', 'firewall', 'log', 'stop'])

export function planReload (running: Config, next: Config, caps: ReloadCapabilities): ReloadPlan {
  const restart: string[] = []
  const applied: string[] = []
  const effective: Record<string, unknown> = { ...next }
  const old = running as unknown as Record<string, unknown>
  const nxt = next as unknown as Record<string, unknown>
  for (const key of new Set([...Object.keys(old), ...Object.keys(nxt)])) {
    if (IGNORED.has(key) || APPLIED.has(key) || same(old[key], nxt[key])) continue
    restart.push(key)
    if (key in old) effective[key] = old[key]
    else delete effective[key]
  }
  if (!same(running.stop, next.stop)) applied.push('stop')

  const firewall = { ...next.firewall }
  for (const k of ['backend', 'table', 'command'] as const) {
    if (!same(running.firewall[k], next.firewall[k])) {
      restart.push(`firewall.${k}`)
      ;(firewall as Record<string, unknown>)[k] = running.firewall[k]
    }
  }
  const firewallTable =
    !same(running.firewall.hooks, next.firewall.hooks) || running.firewall.keepOnStop !== next.firewall.keepOnStop
  if (firewallTable && !caps.firewallTable) {
    for (const k of ['hooks', 'keepOnStop'] as const) {
      if (!same(running.firewall[k], next.firewall[k])) {
        restart.push(`firewall.${k}`)
        ;(firewall as Record<string, unknown>)[k] = running.firewall[k]
      }
    }
  }
  effective.firewall = firewall

  const trust = { ...next.trust }
  if (caps.federation === true) {
    for (const k of FEDERATION_TRUST) {
      if (running.trust[k] !== next.trust[k]) {
        restart.push(`trust.${k}`)
        ;(trust as Record<string, unknown>)[k] = running.trust[k]
      }
    }
  }
  effective.trust = trust

  const log = { ...next.log }
  if (running.log.format !== next.log.format) { restart.push('log.format'); log.format = running.log.format }
  effective.log = log

  return {
    streams: streamChanges(running, next),
    allow: !same(running.allow, next.allow) || !same(old.neverBan, nxt.neverBan),
    trust: !same(running.trust, trust),
    firewallTable: firewallTable && caps.firewallTable,
    reconcileInterval: running.firewall.reconcileInterval !== next.firewall.reconcileInterval,
    logLevel: running.log.level !== next.log.level,
    applied,
    restart,
    effective: deepFreeze(effective as unknown as Config)
  }
}

/**
 * A stream is changed when its own definition or one of the patterns its filters use differs:
 * its filters are compiled from both.
 */
function streamChanges (running: Config, next: Config): StreamChanges {
  const out: StreamChanges = { added: [], removed: [], changed: [], unchanged: [], removedFilters: [] }
  for (const name of Object.keys(running.streams)) if (!Object.hasOwn(next.streams, name)) out.removed.push(name)
  for (const [name, s] of Object.entries(next.streams)) {
    const before = Object.hasOwn(running.streams, name) ? running.streams[name] : undefined
    if (before === undefined) out.added.push(name)
    else if (same(before, s) && same(usedPatterns(before, running.patterns), usedPatterns(s, next.patterns))) {
      out.unchanged.push(name)
    } else out.changed.push(name)
  }
  const kept = new Set(Object.values(next.streams).flatMap(s => s.filters.map(f => f.id)))
  for (const s of Object.values(running.streams)) {
    for (const f of s.filters) if (!kept.has(f.id)) out.removedFilters.push(f.id)
  }
  return out
}

function usedPatterns (
  s: StreamConfig,
  patterns: Readonly<Record<string, PatternConfig>>
): Record<string, PatternConfig | null> {
  const names = new Set(s.filters.flatMap(f => f.patterns))
  // a `link` block may name patterns of its own (`from` regexes)
  for (const f of s.filters) { for (const r of f.link?.from ?? []) for (const m of r.matchAll(/<([A-Za-z_]\w*)>/g)) names.add(m[1]) }
  return Object.fromEntries([...names].sort().map(n => [n, Object.hasOwn(patterns, n) ? patterns[n] : null]))
}

/** One line for the log and the CLI: what the reload did. */
export function describePlan (p: ReloadPlan): string {
  const parts: string[] = []
  const s = p.streams
  if (s.added.length > 0) parts.push(`streams added: ${s.added.join(', ')}`)
  if (s.removed.length > 0) parts.push(`streams removed: ${s.removed.join(', ')}`)
  if (s.changed.length > 0) parts.push(`streams restarted: ${s.changed.join(', ')}`)
  if (p.allow) parts.push('allowlist')
  if (p.trust) parts.push('trust')
  if (p.firewallTable) parts.push('firewall table')
  if (p.reconcileInterval) parts.push('firewall.reconcileInterval')
  if (p.logLevel) parts.push(`log level ${p.effective.log.level}`)
  if (p.applied.length > 0) parts.push(p.applied.join(', '))
  const changed = parts.length === 0 ? 'nothing changed' : `applied: ${parts.join('; ')}`
  return p.restart.length === 0 ? changed : `${changed}; needs a restart (running value kept): ${p.restart.join(', ')}`
}

/** Structural equality of two JSON-shaped values (configurations are plain data). */
export function same (a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  for (const k of ka) {
    if (!Object.hasOwn(b, k) || !same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) {
      return false
    }
  }
  return true
}

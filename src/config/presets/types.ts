import type { LinkConfig } from '../types.ts'

/**
 * A preset: a named, documented set of filters (fail2ban's filter.d, reaction's examples) that a
 * stream pulls in with `preset: NAME` (and `mode: MODE`). Regexes use the config's pattern
 * syntax (`<ip>`), so presets go through exactly the same validation as hand-written filters.
 */
export interface PresetFilter {
  /** filter name inside the stream */
  name: string
  regex: string[]
  retry: number
  /** duration text as a user would write it ('10m') */
  retryperiod: string
  /** firewall ban duration text ('1h') */
  ban: string
  link?: Omit<LinkConfig, 'ttl'> & { ttl: string }
}

export interface Preset {
  name: string
  description: string
  /** modes as fail2ban names them; the first is not necessarily the default */
  modes: readonly string[]
  defaultMode: string
  /** the fail2ban filter(s) this preset corresponds to, for docs/presets.md; empty when fail2ban has none */
  fail2ban?: readonly string[]
  /** the log forms it reads, one short phrase, for docs/presets.md */
  forms?: string
  /** where the logs usually are: used when the stream gives neither cmd, file nor unit */
  /**
   * `syslogForm`: journal entries reach the filters as `IDENT[PID]: MESSAGE`, for a preset whose
   * `link` is keyed by syslog's pid (a bare MESSAGE carries none)
   */
  source: { file?: string, journal?: string[], syslogForm?: boolean }
  filters (mode: string): PresetFilter[]
}

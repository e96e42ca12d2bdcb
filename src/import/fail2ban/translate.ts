import { getPreset } from '../../config/presets/index.ts'
import { MAX_DURATION_MS } from '../../common/duration.ts'
import { parseSubject } from '../../common/ip.ts'
import { option, type Layered } from './layers.ts'
import { fail2banSeconds, palisadeDuration } from './time.ts'
import { parsePortEntry } from '../../config/ports.ts'

/** Something the importer could not carry over as it is, and why. */
export interface ImportNote { jail: string | null, where: string, what: string, why: string }

export interface Translated {
  config: Record<string, unknown>
  notes: ImportNote[]
  /** enabled jails turned into streams */
  jails: string[]
}

/** The actions fail2ban bans with through the firewall: Palisade's own backend does the same. */
const FIREWALL_ACTIONS = /^(?:iptables|ip6tables|nftables|firewallcmd|shorewall|ufw|iptables-ipset|nftables-(?:multiport|allports)|iptables-(?:multiport|allports|ipset-proto6(?:-allports)?|ipset))\b/
const TRUE = new Set(['true', 'yes', '1', 'on'])

export function translateJails (l: Layered): Translated {
  const notes: ImportNote[] = []
  const streams: Record<string, unknown> = {}
  const allow = new Set<string>()
  const jails: string[] = []
  const at = (jail: string | null, key: string): string => {
    const v = jail === null ? l.defaults.get(key) : option(l, jail, key)
    return v === undefined ? (jail ?? 'DEFAULT') : `${v.file}:${v.line}`
  }
  const note = (jail: string | null, key: string, what: string, why: string): void => {
    notes.push({ jail, where: at(jail, key), what, why })
  }

  const addAllow = (jail: string | null, ip: string): void => {
    if (parseSubject(ip) === null) { note(jail, 'ignoreip', `ignoreip ${ip}`, 'not an address or CIDR prefix (host names are not resolved): left out of allow'); return }
    allow.add(ip)
  }
  for (const ip of words(l.defaults.get('ignoreip')?.value)) addAllow(null, ip)
  const escalation = escalationOf(l, note)

  for (const jail of l.sections.keys()) {
    if (!TRUE.has((option(l, jail, 'enabled')?.value ?? 'false').toLowerCase())) continue
    const filterText = option(l, jail, 'filter')?.value ?? jail
    const f = /^([\w.-]+)(?:\[(.*)\])?$/s.exec(filterText.trim())
    const preset = f === null ? undefined : getPreset(f[1])
    if (f === null || preset === undefined) {
      note(jail, 'filter', `jail ${jail}: filter ${filterText} not imported`, 'Palisade has no preset of that name: write its regexes as a filter of a stream (docs/configuration.md), `palisade test-regex` checks them')
      continue
    }
    const params = new Map([...(f[2] ?? '').matchAll(/(\w+)\s*=\s*("[^"]*"|[^,]*)/g)].map(m => [m[1], m[2].replace(/^"|"$/g, '').trim()]))
    let mode: string | undefined = params.get('mode') ?? option(l, jail, 'mode')?.value
    if (mode !== undefined && !preset.modes.includes(mode)) {
      note(jail, 'mode', `jail ${jail}: mode ${mode}`, `the ${preset.name} preset has modes ${preset.modes.join(', ')}; using ${preset.defaultMode}`)
      mode = undefined
    }
    for (const k of params.keys()) if (k !== 'mode') note(jail, 'filter', `jail ${jail}: filter parameter ${k}`, 'preset filters take no parameters other than mode')
    const common: Record<string, unknown> = { preset: preset.name }
    if (mode !== undefined && mode !== preset.defaultMode) common.mode = mode
    timing(l, jail, common, note)
    for (const ip of words(l.sections.get(jail)?.get('ignoreip')?.value)) {
      if (allow.has(ip)) continue
      note(jail, 'ignoreip', `jail ${jail}: ignoreip ${ip}`, 'Palisade\'s allowlist is global: the address is never banned by any stream')
      addAllow(jail, ip)
    }
    actionNotes(l, jail, note)
    Object.assign(common, banScope(l, jail, note))
    if (preset.name === 'recidive') {
      // fail2ban's recidive reads fail2ban's own log; Palisade's reads Palisade's ban lines
      note(jail, 'logpath', `jail ${jail}: logpath ${option(l, jail, 'logpath')?.value ?? ''}`, 'the recidive preset counts Palisade\'s own bans (its journal), not fail2ban\'s log')
      streams[jail] = common
      jails.push(jail)
      continue
    }

    const backend = (option(l, jail, 'backend')?.value ?? 'auto').split('[')[0].trim()
    if (backend === 'systemd') {
      const matches = words(option(l, jail, 'journalmatch')?.value)
      const journal = matches.length > 0 ? matches : preset.source.journal
      if (journal === undefined) note(jail, 'backend', `jail ${jail}: backend systemd`, `the ${preset.name} preset names no journal matches: set journalmatch`)
      else streams[jail] = { ...common, journal: { matches: journal } }
      jails.push(jail)
      continue
    }
    const paths = (option(l, jail, 'logpath')?.value ?? '').split('\n').map(p => p.trim().replace(/\s+(?:tail|head)$/, '')).filter(p => p !== '')
    if (paths.length === 0) { streams[jail] = common; jails.push(jail); continue }
    // the preset's own default file: leave it out, so that the preset reads the journal when the
    // file does not exist (Debian 12 without rsyslog has no /var/log/auth.log)
    if (paths.length === 1 && paths[0] === preset.source.file) { streams[jail] = common; jails.push(jail); continue }
    // each stream its own copy: a shared `ports` list would print as a YAML alias
    paths.forEach((p, i) => { streams[i === 0 ? jail : `${jail}-${i + 1}`] = { ...structuredClone(common), file: p } })
    jails.push(jail)
  }

  const config: Record<string, unknown> = { streams }
  if (allow.size > 0) config.allow = [...allow]
  if (escalation !== undefined) config.escalation = escalation
  return { config, notes, jails }
}

function words (v: string | undefined): string[] {
  return (v ?? '').split(/[\s,]+/).filter(s => s !== '')
}

type Note = (jail: string | null, key: string, what: string, why: string) => void

const EVERY_PORT = /^(?:0:65535|1:65535|0-65535|1-65535|all|any)$/i

/**
 * A jail's `port` and `protocol` as the stream's `ports:` and `protocol:` (src/config/ports.ts):
 * what fail2ban's ban actions drop. An `allports` ban action drops every port of the protocol.
 * An entry Palisade cannot read (a service name outside its table) makes the ban drop every
 * port, as Palisade bans by default: a ban wider than fail2ban's, never a narrower one.
 */
function banScope (l: Layered, jail: string, note: Note): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const actions = `${option(l, jail, 'banaction')?.value ?? ''} ${option(l, jail, 'action')?.value ?? ''}`
  const port = (option(l, jail, 'port')?.value ?? '').trim()
  if (port !== '' && !EVERY_PORT.test(port) && !/allports/.test(actions)) {
    const entries = words(port)
    const bad = entries.filter(e => 'err' in parsePortEntry(/^\d+$/.test(e) ? Number(e) : e))
    if (bad.length > 0) {
      note(jail, 'port', `jail ${jail}: port = ${port}`,
        `${bad.join(', ')}: not a port number or a service name Palisade knows; this jail's bans drop every port`)
    } else {
      out.ports = entries.map(e => /^\d+$/.test(e) ? Number(e) : e.replace(':', '-'))
    }
  }
  const protocol = (option(l, jail, 'protocol')?.value ?? 'tcp').trim().toLowerCase()
  if (protocol === 'tcp' || protocol === 'udp' || protocol === 'sctp') out.protocol = protocol
  else if (protocol !== 'all' && protocol !== '') {
    note(jail, 'protocol', `jail ${jail}: protocol = ${protocol}`,
      'Palisade scopes bans to tcp, udp or sctp: this jail\'s bans drop every protocol')
  }
  return out
}

/** maxretry / findtime / bantime of one jail, as the stream's retry / retryperiod / ban */
function timing (l: Layered, jail: string, into: Record<string, unknown>, note: Note): void {
  const retry = option(l, jail, 'maxretry')?.value
  if (retry !== undefined && /^\d+$/.test(retry)) into.retry = Math.max(1, Number(retry))
  for (const [key, to] of [['findtime', 'retryperiod'], ['bantime', 'ban']] as const) {
    const text = option(l, jail, key)?.value
    if (text === undefined) continue
    const s = fail2banSeconds(text)
    if (s === null) { note(jail, key, `jail ${jail}: ${key} = ${text}`, 'not a time fail2ban would read either'); continue }
    if (s * 1000 > MAX_DURATION_MS) {
      note(jail, key, `jail ${jail}: ${key} = ${text}`, `longer than Palisade's maximum duration: ${palisadeDuration(MAX_DURATION_MS / 1000)} is used`)
      into[to] = palisadeDuration(MAX_DURATION_MS / 1000)
    } else {
      into[to] = palisadeDuration(s)
    }
  }
}

function actionNotes (l: Layered, jail: string, note: Note): void {
  const action = option(l, jail, 'action')?.value ?? ''
  const banaction = option(l, jail, 'banaction')?.value ?? ''
  for (const line of action.split('\n').map(s => s.trim()).filter(Boolean)) {
    const name = line.split('[')[0].trim()
    if (name === banaction.split('[')[0].trim() || FIREWALL_ACTIONS.test(name)) continue
    note(jail, 'action', `jail ${jail}: action ${name}`, 'actions other than the firewall ban (mail, reports, custom scripts) are not translated: add them as `actions:` argv commands')
  }
  if (banaction !== '' && !FIREWALL_ACTIONS.test(banaction)) note(jail, 'banaction', `jail ${jail}: banaction ${banaction}`, 'Palisade bans with its own firewall backend (firewall.backend)')
}

/** bantime.increment & co. → escalation */
function escalationOf (l: Layered, note: Note): Record<string, unknown> | undefined {
  const d = (k: string): string | undefined => l.defaults.get(k)?.value
  if (!TRUE.has((d('bantime.increment') ?? 'false').toLowerCase())) return undefined
  const out: Record<string, unknown> = { factor: 2 }
  const max = d('bantime.maxtime')
  if (max !== undefined && max !== '') {
    const s = fail2banSeconds(max)
    if (s !== null) out.max = palisadeDuration(Math.min(s, MAX_DURATION_MS / 1000))
  }
  const factor = d('bantime.factor')
  if (factor !== undefined && factor !== '' && Number(factor) !== 1) note(null, 'bantime.factor', `bantime.factor = ${factor}`, 'Palisade doubles each repeat ban (escalation.factor 2); fail2ban\'s extra factor is not carried over')
  for (const k of ['bantime.formula', 'bantime.multipliers', 'bantime.rndtime']) if (d(k) !== undefined && d(k) !== '') note(null, k, `${k} = ${d(k)}`, 'approximated by escalation.factor 2 (each repeat ban twice the previous)')
  if (TRUE.has((d('bantime.overalljails') ?? 'false').toLowerCase())) note(null, 'bantime.overalljails', 'bantime.overalljails', 'Palisade always counts an address\'s bans across all streams')
  return out
}

import { createRequire } from 'node:module'
import { isIP } from 'node:net'
import { parseSubject } from '../common/ip.ts'
import type { FederationConfig, FirewallConfig, TrustConfig } from './types.ts'
import type { Issues } from './issues.ts'
import type { RawRoot } from './schema.ts'

/**
 * Cross-field checks of the daemon-wide sections (firewall, allow, federation, trust, feed) that a
 * per-key schema cannot express. No I/O: whether `nft` exists is the daemon's business at start.
 */
export interface Sections {
  firewall: FirewallConfig
  allow: string[]
  federation: FederationConfig | null
  trust: TrustConfig
}

function checkFirewall (fw: RawRoot['firewall'], issues: Issues): FirewallConfig {
  const at = ['firewall']
  // 16, the bound the firewall backends enforce (src/firewall/ops.ts): the iptables backend derives
  // ipset names `<table>-allow6` and chain names from it, and both have short kernel limits
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,15}$/.test(fw.table)) {
    issues.add([...at, 'table'], `expected a table name of letters, digits, _ and - starting with a letter (at most 16), got ${JSON.stringify(fw.table)}`)
  }
  const ban = fw.command?.ban ?? []
  const unban = fw.command?.unban ?? []
  if (fw.backend === 'command') {
    if (fw.command?.ban === undefined) issues.add(fw.command === undefined ? at : [...at, 'command'], 'backend `command` needs `command.ban` (argv with <ip> and <timeout>)')
    if (fw.command?.unban === undefined) issues.add(fw.command === undefined ? at : [...at, 'command'], 'backend `command` needs `command.unban` (argv with <ip>)')
  }
  for (const [key, cmd] of [['ban', ban], ['unban', unban]] as const) {
    cmd.forEach((arg, i) => {
      for (const m of arg.matchAll(/<([A-Za-z_][A-Za-z0-9_]*)>/g)) {
        if (m[1] !== 'ip' && m[1] !== 'timeout') issues.add([...at, 'command', key, i], `unknown placeholder \`<${m[1]}>\`; the command backend substitutes <ip> and <timeout>`)
      }
    })
  }
  return {
    backend: fw.backend,
    hooks: [...new Set(fw.hooks)],
    keepOnStop: fw.keepOnStop,
    reconcileInterval: fw.reconcileInterval,
    table: fw.table,
    command: { ban, unban }
  }
}

// libp2p's parsers (~9 MB of RSS and a slower start) are loaded only when a configuration has a
// federation or trust peers to check; validation stays synchronous through require(esm)
const lazyRequire = createRequire(import.meta.url)
const libp2p = {
  multiaddr: (a: string): unknown =>
    (lazyRequire('@multiformats/multiaddr') as typeof import('@multiformats/multiaddr')).multiaddr(a),
  peerIdFromString: (k: string): unknown =>
    (lazyRequire('@libp2p/peer-id') as typeof import('@libp2p/peer-id')).peerIdFromString(k)
}

function checkMultiaddrs (list: string[], key: string, issues: Issues): void {
  list.forEach((a, i) => {
    try {
      libp2p.multiaddr(a)
    } catch {
      issues.add(['federation', key, i], `expected a multiaddr such as "/ip4/0.0.0.0/tcp/4711", got ${JSON.stringify(a)}`)
    }
  })
}

function checkTrust (t: RawRoot['trust'], issues: Issues): TrustConfig {
  const seen = new Map<string, number>()
  t.peers.forEach((p, i) => {
    try {
      libp2p.peerIdFromString(p.key)
    } catch {
      issues.add(['trust', 'peers', i, 'key'], `expected a peer id such as "12D3KooW...", got ${JSON.stringify(p.key)} (\`palisade peer id\` prints a node's)`)
    }
    const prev = seen.get(p.key)
    if (prev !== undefined) issues.add(['trust', 'peers', i, 'key'], `peer listed twice (also at trust.peers.${prev})`)
    seen.set(p.key, i)
  })
  return { ...t, localWeight: t.localWeight ?? t.threshold, peers: t.peers.map(p => ({ ...p })) }
}

/** Checks the sections that parsed; null when one is missing (its problems were reported). */
export function checkSections (r: Partial<RawRoot>, issues: Issues): Sections | null {
  const firewall = r.firewall === undefined ? undefined : checkFirewall(r.firewall, issues)
  const allow = (r.allow ?? []).map((a, i) => {
    const s = parseSubject(a)
    if (s === null) issues.add(['allow', i], `expected an IP address or CIDR such as "192.0.2.0/24", got ${JSON.stringify(a)}`)
    return s?.text ?? a
  })
  let federation: FederationConfig | null = null
  if (r.federation !== undefined) {
    const f = r.federation
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(f.collective)) {
      issues.add(['federation', 'collective'], `expected a collective name of letters, digits, ., _ and - (at most 64), got ${JSON.stringify(f.collective)}`)
    }
    if (f.listen.length === 0) issues.add(['federation', 'listen'], 'expected at least one listen address')
    checkMultiaddrs(f.listen, 'listen', issues)
    checkMultiaddrs(f.bootstrap, 'bootstrap', issues)
    federation = f
  }
  if (r.feed !== undefined) {
    const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(r.feed.listen)
    const host = m?.[1] ?? m?.[2]
    if (m === null || host === undefined || Number(m[3]) > 65535 || (m[1] !== undefined && isIP(m[1]) !== 6)) {
      issues.add(['feed', 'listen'], `expected host:port such as "127.0.0.1:4712" or "[::1]:4712", got ${JSON.stringify(r.feed.listen)}`)
    }
  }
  const trust = r.trust === undefined ? undefined : checkTrust(r.trust, issues)
  if (firewall === undefined || trust === undefined) return null
  return { firewall, allow, federation, trust }
}

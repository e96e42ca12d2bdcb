import { FEED_OUTPUTS, FORMAT_OPTION, JSON_OPTION, limitOption, TARGETS_HELP } from './options.ts'
import type { CommandEntry, CommandImpl, OptionSpec } from './types.ts'

/*
 * Every command, in the order `palisade --help` lists them; a group (`peer`, `peer trust`) comes
 * before its commands. Adding a verb is one entry here and its module: the CLI registers it, the
 * control socket answers it (validated by its schema), and completion, the man page and
 * docs/cli.md list it. This file holds the help only, so that `palisade show` loads the one
 * module it runs and not every command's.
 */

const IP = { name: 'ip', required: true, description: 'address or CIDR prefix' }
const KEY = { name: 'key', required: true, description: 'peer id' }
// Jsonnet's external variables, as its own command line takes them; NAME alone reads the environment
const EXT_VARS: OptionSpec[] = [
  { flags: '--ext-str <NAME[=VALUE]>', description: 'a Jsonnet external string variable (NAME alone: from the environment)', repeatable: true },
  { flags: '--ext-code <NAME[=CODE]>', description: 'a Jsonnet external code variable (NAME alone: from the environment)', repeatable: true }
]

export const COMMANDS: readonly CommandEntry[] = [
  {
    path: ['start'],
    description: "run the daemon in the foreground (-s SOCKET: listen there instead of the configuration's socket)",
    options: [{
      flags: '-l, --log-level <level>',
      description: 'trace, debug, info, warn or error (reaction: -l LEVEL); overrides log.level'
    }, ...EXT_VARS],
    load: async () => (await import('./local.ts')).start
  },
  {
    path: ['status'],
    description: 'one screen first: each stream alive or not (lines, last line, restarts, last error), ' +
      'firewall and last reconcile, peers, bans by origin, uptime',
    options: [JSON_OPTION, FORMAT_OPTION],
    load: async () => (await import('./status.ts')).status
  },
  {
    path: ['reload'],
    description: 'make the running daemon read its configuration again (like SIGHUP); an invalid one is refused with every error',
    options: [{ flags: '--json', description: 'print what changed as JSON' }],
    load: async () => (await import('./reload.ts')).reload
  },
  {
    path: ['test-config'],
    description: 'validate the configuration; print it normalised, or every error with file:line:col',
    options: [
      { flags: '--json', description: 'print JSON instead of YAML' },
      { flags: '--sources', description: 'print each value with the file:line:col that set it (base files, then *.local.yml overrides)' },
      ...EXT_VARS
    ],
    load: async () => (await import('./local.ts')).testConfig
  },
  {
    path: ['test-regex'],
    description: 'run one filter over a log file (or - for stdin); print "IP<TAB>line" per match',
    args: [
      { name: 'filter', description: 'STREAM.FILTER from the configuration, or a REGEX with <ip> (or <HOST>)' },
      { name: 'file', description: 'log file, or - for standard input; after a REGEX, a log line when no such file exists', default: '-' }
    ],
    options: [
      { flags: '--json', description: 'print JSON lines' },
      { flags: '--explain', description: 'also print which regex matched and what each pattern captured' },
      { flags: '--preset <name[:mode]>', description: 'use a preset instead of a configuration (e.g. sshd:aggressive)' },
      { flags: '--missed', description: 'print the lines no filter matched instead (summary unchanged)' }
    ],
    load: async () => (await import('./local.ts')).testRegex
  },
  {
    path: ['show'],
    description: 'active bans and pending counters; with IP: why (every vote, weight, filter, time), ' +
      'also for an address inside a banned prefix',
    args: [{
      name: 'targets',
      variadic: true,
      description: `an address or prefix to explain, and/or ${TARGETS_HELP} (ip=203.0.113.*, user=root)`
    }],
    options: [JSON_OPTION, FORMAT_OPTION, limitOption('only what this stream (or STREAM.FILTER) holds (reaction)')],
    load: async () => (await import('./show.ts')).show
  },
  {
    path: ['ban'],
    description: 'ban an address or prefix here (a local vote with full weight)',
    args: [IP],
    options: [
      { flags: '--for <duration>', description: 'ban duration such as 1h, 2 days (default: trust.banFor)' },
      { flags: '--reason <text>', description: 'recorded with the ban' },
      { flags: '--share', description: 'publish the ban to the collective' }
    ],
    load: async () => (await import('./ban.ts')).ban
  },
  {
    path: ['unban'],
    description: 'lift a ban here; an address inside a banned prefix lifts that prefix',
    args: [IP],
    load: async () => (await import('./ban.ts')).unban
  },
  {
    path: ['flush'],
    description: "reaction's flush: lift the bans selected (an address, NAME=REGEX filters, -l), " +
      'every ban with no argument; forget their counters',
    args: [{ name: 'targets', variadic: true, description: `an address or prefix (as unban), and/or ${TARGETS_HELP}` }],
    options: [JSON_OPTION, FORMAT_OPTION, limitOption('only what this stream (or STREAM.FILTER) holds')],
    load: async () => (await import('./flush.ts')).flush
  },
  {
    path: ['trigger'],
    description: 'make a filter trigger now, bypassing retry (reaction)',
    args: [
      { name: 'filter', required: true, description: 'STREAM.FILTER' },
      { name: 'values', required: true, variadic: true, description: 'pattern values as name=value, e.g. ip=203.0.113.7' }
    ],
    load: async () => (await import('./trigger.ts')).trigger
  },
  {
    path: ['feed'],
    description: 'print the exported blocklist',
    options: [{ flags: '--format <format>', description: 'output format', choices: FEED_OUTPUTS, default: 'txt' }],
    load: async () => (await import('./feed.ts')).feed
  },
  { path: ['import'], description: 'translate another tool\'s configuration into Palisade\'s' },
  {
    path: ['import', 'fail2ban'],
    description: 'read a fail2ban setup (jail.conf, jail.d, jail.local) and print the equivalent configuration',
    args: [{ name: 'dir', description: 'fail2ban\'s configuration directory', default: '/etc/fail2ban' }],
    options: [{ flags: '--json', description: 'print the configuration and the notes as JSON' }],
    load: async () => (await import('./local.ts')).importFail2ban
  },
  { path: ['peer'], description: 'this node\'s identity and the peers it trusts' },
  {
    path: ['peer', 'id'],
    description: 'this node\'s key (its libp2p peer id) and listen addresses',
    load: async () => (await import('./peer.ts')).peerId
  },
  {
    path: ['peer', 'list'],
    description: 'peers: trusted?, weight, connected, last report and message, accepted / refused by reason, ' +
      'last sync, share of maxRemoteBans',
    options: [JSON_OPTION],
    load: async () => (await import('./peer.ts')).peerList
  },
  { path: ['peer', 'trust'], description: 'manage trusted peers on the running daemon (persisted)' },
  {
    path: ['peer', 'trust', 'add'],
    description: '',
    args: [{ name: 'key', required: true, description: 'peer id (12D3KooW…)' }],
    options: [
      { flags: '--weight <w>', description: 'vote weight', default: '1' },
      { flags: '--name <name>', description: 'a name for logs and `peer list`' },
      { flags: '--shadow', description: "evaluate and log this peer's votes, never ban on them" },
      {
        flags: '--addr <multiaddr>',
        description: 'where the peer listens (/ip4/203.0.113.7/tcp/4711), repeatable: dialled at once, never banned while trusted',
        repeatable: true
      }
    ],
    load: async () => (await import('./peer.ts')).trustAdd
  },
  {
    path: ['peer', 'trust', 'remove'],
    description: '',
    args: [KEY],
    load: async () => (await import('./peer.ts')).trustRemove
  },
  {
    path: ['peer', 'revoke'],
    description: 'distrust a key and drop every vote it gave',
    args: [KEY],
    load: async () => (await import('./peer.ts')).peerRevoke
  },
  {
    path: ['completion'],
    description: 'print a shell completion script',
    args: [{ name: 'shell', required: true, description: 'bash, zsh or fish', choices: ['bash', 'zsh', 'fish'] }],
    load: async () => (await import('./local.ts')).completion
  },
  {
    path: ['ping'],
    description: 'the daemon answers with its pid',
    hidden: true,
    load: async () => (await import('./ping.ts')).ping
  }
]

/** the options before the command (`palisade -c FILE show`) */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { flags: '-V, --version', description: 'print the version' },
  { flags: '-c, --config <file>', description: 'configuration file or directory (YAML, JSON, Jsonnet)' },
  { flags: '-s, --socket <path>', description: 'control socket of the running daemon' }
]

export const PROGRAM_DESCRIPTION = 'Federated intrusion prevention: detect in logs, ban in the kernel, share signed bans with a collective.'

/** every command's implementation, with its entry (the daemon's socket verbs, tests, docs) */
export async function loadAll (table: readonly CommandEntry[] = COMMANDS):
Promise<Array<{ entry: CommandEntry, impl: CommandImpl }>> {
  const out = []
  for (const entry of table) if (entry.load !== undefined) out.push({ entry, impl: await entry.load() })
  return out
}

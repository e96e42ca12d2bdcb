import { ban, unban } from './ban.ts'
import { feed } from './feed.ts'
import { flush } from './flush.ts'
import { completion, importFail2ban, importGroup, start, testConfig, testRegex } from './local.ts'
import { peerGroup, peerId, peerList, peerRevoke, trustAdd, trustGroup, trustRemove } from './peer.ts'
import { ping } from './ping.ts'
import { reload } from './reload.ts'
import { show } from './show.ts'
import { status } from './status.ts'
import { trigger } from './trigger.ts'
import type { CommandEntry, OptionSpec } from './types.ts'

/**
 * Every command, in the order `palisade --help` lists them; a group (`peer`, `peer trust`) comes
 * before its commands. Adding a verb is one entry here: the CLI registers it, the control socket
 * answers it (validated by its schema), and completion, the man page and docs/cli.md list it.
 */
export const COMMANDS: readonly CommandEntry[] = [
  start, status, reload, testConfig, testRegex, show, ban, unban, flush, trigger, feed,
  importGroup, importFail2ban,
  peerGroup, peerId, peerList, trustGroup, trustAdd, trustRemove, peerRevoke,
  completion, ping
]

/** the options before the command (`palisade -c FILE show`) */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { flags: '-V, --version', description: 'print the version' },
  { flags: '-c, --config <file>', description: 'configuration file or directory (YAML, JSON, Jsonnet)' },
  { flags: '-s, --socket <path>', description: 'control socket of the running daemon' }
]

export const PROGRAM_DESCRIPTION = 'Federated intrusion prevention: detect in logs, ban in the kernel, share signed bans with a collective.'

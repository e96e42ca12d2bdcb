/**
 * `palisade` command line. The contract (commands, flags, exit codes) is in README.md's CLI reference and
 * docs/palisade.1, and used
 * by scripts: keep it stable. Only this folder decides exit codes: 0 ok, 1 failure with a
 * one-line reason on stderr (test-config prints every configuration error, one a line).
 */
import { Command, CommanderError, Option } from 'commander'
import { PalisadeError } from '../common/errors.ts'
import { packageVersion } from '../common/version.ts'
import { commandPeer } from './peer.ts'
import { commandCompletion } from './completion.ts'

export interface GlobalOptions {
  config?: string
  socket?: string
}

/** Commands load their modules when run: `palisade show` need not load the daemon or the config schema. */
export function buildProgram (): Command {
  const program = new Command('palisade')
    .description('Federated intrusion prevention: detect in logs, ban in the kernel, share signed bans with a collective.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('-c, --config <file>', 'configuration file or directory (YAML, JSON, Jsonnet)')
    .option('-s, --socket <path>', 'control socket of the running daemon')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) })

  program
    .command('start')
    .description("run the daemon in the foreground (-s SOCKET: listen there instead of the configuration's socket)")
    .option('-l, --log-level <level>', 'trace, debug, info, warn or error (reaction: -l LEVEL); overrides log.level')
    .action(async (o: { logLevel?: string }, cmd: Command) =>
      (await import('./start.ts')).commandStart(globals(cmd), o)
    )

  program
    .command('status')
    .description(
      'one screen first: each stream alive or not (lines, last line, restarts, last error), firewall and last reconcile, peers, bans by origin, uptime'
    )
    .option('--json', 'print JSON')
    .addOption(formatOption())
    .action(async (o: { json?: boolean; format?: string }, cmd: Command) =>
      (await import('./status.ts')).commandStatus(globals(cmd), o)
    )

  program.command('reload').description('make the running daemon read its configuration again (like SIGHUP); an invalid one is refused with every error')
    .option('--json', 'print what changed as JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => (await import('./reload.ts')).commandReload(globals(cmd), o))

  program
    .command('test-config')
    .description('validate the configuration; print it normalised, or every error with file:line:col')
    .option('--json', 'print JSON instead of YAML')
    .option('--sources', 'print each value with the file:line:col that set it (base files, then *.local.yml overrides)')
    .action(async (o: { json?: boolean; sources?: boolean }, cmd: Command) =>
      (await import('./test-config.ts')).commandTestConfig(globals(cmd), o)
    )

  program
    .command('test-regex')
    .description('run one filter over a log file (or - for stdin); print "IP<TAB>line" per match')
    .argument('[filter]', 'STREAM.FILTER from the configuration, or a REGEX with <ip> (or <HOST>)')
    .argument('[file]', 'log file, or - for standard input; after a REGEX, a log line when no such file exists', '-')
    .option('--json', 'print JSON lines')
    .option('--explain', 'also print which regex matched and what each pattern captured')
    .option('--preset <name[:mode]>', 'use a preset instead of a configuration (e.g. sshd:aggressive)')
    .option('--missed', 'print the lines no filter matched instead (summary unchanged)')
    .action(
      async (
        filter: string | undefined,
        file: string,
        o: { json?: boolean; explain?: boolean; preset?: string; missed?: boolean },
        cmd: Command
      ) => (await import('./test-regex.ts')).commandTestRegex(globals(cmd), filter, file, o)
    )

  program
    .command('show')
    .description(
      'active bans and pending counters; with IP: why (every vote, weight, filter, time), also for an address inside a banned prefix'
    )
    .argument(
      '[targets...]',
      'an address or prefix to explain, and/or NAME=REGEX filters on pattern values (ip=203.0.113.*, user=root)'
    )
    .option('--json', 'print JSON')
    .addOption(formatOption())
    .option('-l, --limit <stream[.filter]>', 'only what this stream (or STREAM.FILTER) holds (reaction)')
    .action(async (targets: string[], o: { json?: boolean; format?: string; limit?: string }, cmd: Command) =>
      (await import('./show.ts')).commandShow(globals(cmd), targets, o)
    )

  program
    .command('ban')
    .description('ban an address or prefix here (a local vote with full weight)')
    .argument('<ip>', 'address or CIDR prefix')
    .option('--for <duration>', 'ban duration such as 1h, 2 days (default: trust.banFor)')
    .option('--reason <text>', 'recorded with the ban')
    .option('--share', 'publish the ban to the collective')
    .action(async (ip: string, o: { for?: string; reason?: string; share?: boolean }, cmd: Command) =>
      (await import('./actions.ts')).commandBan(globals(cmd), ip, o)
    )

  program.command('unban').description('lift a ban here; an address inside a banned prefix lifts that prefix')
    .argument('<ip>', 'address or CIDR prefix')
    .action(async (ip: string, _o, cmd: Command) => (await import('./actions.ts')).commandUnban(globals(cmd), ip))

  program
    .command('flush')
    .description(
      "reaction's flush: lift the bans selected (an address, NAME=REGEX filters, -l), every ban with no argument; forget their counters"
    )
    .argument('[targets...]', 'an address or prefix (as unban), and/or NAME=REGEX filters on pattern values')
    .option('--json', 'print JSON')
    .addOption(formatOption())
    .option('-l, --limit <stream[.filter]>', 'only what this stream (or STREAM.FILTER) holds')
    .action(async (targets: string[], o: { json?: boolean; format?: string; limit?: string }, cmd: Command) =>
      (await import('./actions.ts')).commandFlush(globals(cmd), targets, o)
    )

  program
    .command('trigger')
    .description('make a filter trigger now, bypassing retry (reaction)')
    .argument('<filter>', 'STREAM.FILTER')
    .argument('<values...>', 'pattern values as name=value, e.g. ip=203.0.113.7')
    .action(async (filter: string, values: string[], _o, cmd: Command) =>
      (await import('./actions.ts')).commandTrigger(globals(cmd), filter, values)
    )

  program
    .command('feed')
    .description('print the exported blocklist')
    .addOption(new Option('--format <format>', 'output format').choices(['txt', 'json', 'nft']).default('txt'))
    .action(async (o: { format: string }, cmd: Command) =>
      (await import('./actions.ts')).commandFeed(globals(cmd), o.format)
    )

  program.command('import').description('translate another tool\'s configuration into Palisade\'s')
    .command('fail2ban').description('read a fail2ban setup (jail.conf, jail.d, jail.local) and print the equivalent configuration')
    .argument('[dir]', 'fail2ban\'s configuration directory', '/etc/fail2ban')
    .option('--json', 'print the configuration and the notes as JSON')
    .action(async (dir: string, o: { json?: boolean }) => (await import('./import.ts')).commandImportFail2ban(dir, o))

  commandPeer(program)
  commandCompletion(program)
  return program
}

/** reaction's -f/--format; text (a table in a terminal) when absent */
function formatOption (): Option {
  return new Option('-f, --format <format>', 'output format (reaction: yaml or json)').choices(['text', 'yaml', 'json'])
}

export function globals (cmd: Command): GlobalOptions {
  let root = cmd
  while (root.parent !== null) root = root.parent
  return root.opts<GlobalOptions>()
}

/** Run the CLI; resolves with the exit code. */
export async function main (argv: readonly string[]): Promise<number> {
  const program = buildProgram()
  try {
    await program.parseAsync(argv as string[], { from: 'user' })
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1
    if (err instanceof PalisadeError) {
      process.stderr.write(`palisade: ${err.message}\n`)
      return 1
    }
    process.stderr.write(`palisade: ${(err as Error).message ?? String(err)}\n`)
    return 1
  }
}

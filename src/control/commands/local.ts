import { command, type CliInput } from './types.ts'

/*
 * The commands that do not talk to a daemon: their `run` loads what they need when they run
 * (`palisade show` must not load the daemon, the configuration schema or the fail2ban importer).
 */

type Opts<T> = T & Record<string, unknown>

export const start = command({
  path: ['start'],
  description: "run the daemon in the foreground (-s SOCKET: listen there instead of the configuration's socket)",
  options: [{ flags: '-l, --log-level <level>', description: 'trace, debug, info, warn or error (reaction: -l LEVEL); overrides log.level' }],
  run: async (i: CliInput) => { await (await import('../../cli/start.ts')).commandStart(i.globals, i.opts as Opts<{ logLevel?: string }>) }
})

export const testConfig = command({
  path: ['test-config'],
  description: 'validate the configuration; print it normalised, or every error with file:line:col',
  options: [
    { flags: '--json', description: 'print JSON instead of YAML' },
    { flags: '--sources', description: 'print each value with the file:line:col that set it (base files, then *.local.yml overrides)' }
  ],
  run: async i => { await (await import('../../cli/test-config.ts')).commandTestConfig(i.globals, i.opts) }
})

export const testRegex = command({
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
  run: async i => {
    const { commandTestRegex } = await import('../../cli/test-regex.ts')
    await commandTestRegex(i.globals, i.args[0] as string | undefined, i.args[1] as string, i.opts)
  }
})

export const importGroup = command({ path: ['import'], description: 'translate another tool\'s configuration into Palisade\'s' })

export const importFail2ban = command({
  path: ['import', 'fail2ban'],
  description: 'read a fail2ban setup (jail.conf, jail.d, jail.local) and print the equivalent configuration',
  args: [{ name: 'dir', description: 'fail2ban\'s configuration directory', default: '/etc/fail2ban' }],
  options: [{ flags: '--json', description: 'print the configuration and the notes as JSON' }],
  run: async i => { await (await import('../../cli/import.ts')).commandImportFail2ban(i.args[0] as string, i.opts) }
})

export const completion = command({
  path: ['completion'],
  description: 'print a shell completion script',
  args: [{ name: 'shell', required: true, description: 'bash, zsh or fish', choices: ['bash', 'zsh', 'fish'] }],
  run: async i => { (await import('../../cli/completion.ts')).commandCompletion(i.tree(), i.args[0] as string) }
})

import type { CliInput, CommandImpl } from './types.ts'

/*
 * The commands that do not talk to a daemon: their `run` loads what they need when they run
 * (`palisade show` must not load the daemon, the configuration schema or the fail2ban importer).
 */

type Opts<T> = T & Record<string, unknown>

export const start: CommandImpl = {
  run: async (i: CliInput) => { await (await import('../../cli/start.ts')).commandStart(i.globals, i.opts as Opts<{ logLevel?: string, extStr?: string[], extCode?: string[] }>) }
}

export const testConfig: CommandImpl = {
  run: async i => { await (await import('../../cli/test-config.ts')).commandTestConfig(i.globals, i.opts) }
}

export const testRegex: CommandImpl = {
  run: async i => {
    const { commandTestRegex } = await import('../../cli/test-regex.ts')
    await commandTestRegex(i.globals, i.args[0] as string | undefined, i.args[1] as string, i.opts)
  }
}

export const importFail2ban: CommandImpl = {
  run: async i => { await (await import('../../cli/import.ts')).commandImportFail2ban(i.args[0] as string, i.opts) }
}

export const completion: CommandImpl = {
  run: async i => { (await import('../../cli/completion.ts')).commandCompletion(i.tree(), i.args[0] as string) }
}

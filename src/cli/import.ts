import { importFail2ban } from '../import/fail2ban/index.ts'
import { out } from './context.ts'

/** `palisade import fail2ban [DIR]`: the configuration on stdout, what was not carried over on stderr. */
export async function commandImportFail2ban (dir: string, o: { json?: boolean }): Promise<void> {
  const r = await importFail2ban(dir)
  if (o.json === true) {
    out(JSON.stringify({ config: r.config, notes: r.notes, jails: r.jails, files: r.files }, null, 2))
    return
  }
  out(r.yaml)
  for (const n of r.notes) process.stderr.write(`palisade: ${n.where}: ${n.what}: ${n.why}\n`)
  process.stderr.write(`palisade: ${r.jails.length} jail(s) imported, ${r.notes.length} note(s); check it with \`palisade test-config -c FILE\`\n`)
}

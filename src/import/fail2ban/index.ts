/**
 * `palisade import fail2ban [DIR]`: a fail2ban setup (jail.conf, jail.d/*.conf, jail.local,
 * jail.d/*.local with their includes, as fail2ban layers them) turned into a Palisade
 * configuration. Every enabled jail with a matching preset becomes a stream (its logpath or,
 * with `backend = systemd`, the journal), with maxretry / findtime / bantime as retry /
 * retryperiod / ban; ignoreip becomes `allow`; bantime.increment becomes `escalation`. What
 * cannot be carried over (custom filters, mail and script actions, ports) is listed with why.
 *
 * @example
 * const r = await importFail2ban('/etc/fail2ban')
 * process.stdout.write(r.yaml)           // a configuration `palisade test-config` accepts
 * for (const n of r.notes) console.error(`${n.where}: ${n.what}: ${n.why}`)
 */
import { stringify } from 'yaml'
import { readJailLayers } from './layers.ts'
import { translateJails, type ImportNote } from './translate.ts'

export type { ImportNote } from './translate.ts'

export interface Fail2banImport {
  yaml: string
  config: Record<string, unknown>
  notes: ImportNote[]
  jails: string[]
  files: string[]
}

export async function importFail2ban (dir: string): Promise<Fail2banImport> {
  const layers = await readJailLayers(dir)
  if (layers.files.length === 0) throw new Error(`${dir}: no jail.conf or jail.local found`)
  const t = translateJails(layers)
  const head = [
    `# Imported from fail2ban by \`palisade import fail2ban ${dir}\``,
    `# read: ${layers.files.join(', ')}`,
    `# jails: ${t.jails.length === 0 ? 'none enabled with a matching preset' : t.jails.join(', ')}`
  ]
  if (t.notes.length > 0) {
    head.push('# not carried over as it was:')
    for (const n of t.notes) head.push(`#   ${n.where}: ${n.what}: ${n.why}`)
  }
  return { yaml: head.join('\n') + '\n' + stringify(t.config), config: t.config, notes: t.notes, jails: t.jails, files: layers.files }
}

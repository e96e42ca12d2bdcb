import { readFileSync } from 'node:fs'

/** A systemd unit file as section → key → values (a key may repeat, as SystemCallFilter does). */
export type UnitFile = Map<string, Map<string, string[]>>

export function readUnitFile (path: string): UnitFile {
  const out: UnitFile = new Map()
  let section: Map<string, string[]> | undefined
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    const head = /^\[(.+)\]$/.exec(line)
    if (head !== null) {
      section = new Map()
      out.set(head[1], section)
      continue
    }
    const eq = line.indexOf('=')
    if (section === undefined || eq < 0) throw new Error(`${path}: not a unit file line: ${line}`)
    const key = line.slice(0, eq)
    const list = section.get(key) ?? []
    list.push(line.slice(eq + 1))
    section.set(key, list)
  }
  return out
}

/** The capability names of CapabilityBoundingSet in the [Service] section, for setpriv and checks. */
export function unitCapabilities (unit: UnitFile): string[] {
  return (unit.get('Service')?.get('CapabilityBoundingSet') ?? []).flatMap(v => v.split(/\s+/)).filter(Boolean)
}

import { readdir, readFile } from 'node:fs/promises'
import { dirname, isAbsolute, join } from 'node:path'
import { parseIni, type IniSection, type IniValue } from './ini.ts'

/**
 * The jail configuration as fail2ban assembles it: jail.conf, jail.d/*.conf, jail.local,
 * jail.d/*.local, in that order, each preceded by its `before` includes and followed by its
 * `after` includes. A later file's value replaces an earlier one; the replaced value stays
 * reachable as `known/KEY`, and `%(name)s` interpolates from the section, then DEFAULT
 * (`%(default/name)s` from DEFAULT only, `%(__name__)s` is the section name).
 */
export interface Layered {
  defaults: IniSection
  sections: Map<string, IniSection>
  files: string[]
}

export async function readJailLayers (dir: string): Promise<Layered> {
  const out: Layered = { defaults: new Map(), sections: new Map(), files: [] }
  const names = ['jail.conf', ...await sorted(join(dir, 'jail.d'), '.conf'), 'jail.local', ...await sorted(join(dir, 'jail.d'), '.local')]
  for (const name of names) await readWithIncludes(join(dir, name), out, new Set())
  return out
}

async function sorted (dir: string, ext: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter(f => f.endsWith(ext)).sort().map(f => join('jail.d', f))
  } catch {
    return []
  }
}

async function readWithIncludes (file: string, out: Layered, seen: Set<string>): Promise<void> {
  if (seen.has(file)) return
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return // fail2ban skips a listed file that does not exist (jail.local, paths-overrides.local)
  }
  const ini = parseIni(file, text)
  const inner = new Set([...seen, file])
  const resolve = (f: string): string => isAbsolute(f) ? f : join(dirname(file), f)
  for (const f of ini.before) await readWithIncludes(resolve(f), out, inner)
  out.files.push(file)
  mergeInto(out.defaults, ini.defaults)
  for (const [name, s] of ini.sections) {
    const mine = out.sections.get(name)
    if (mine === undefined) out.sections.set(name, new Map(s))
    else mergeInto(mine, s)
  }
  for (const f of ini.after) await readWithIncludes(resolve(f), out, inner)
}

function mergeInto (into: IniSection, from: IniSection): void {
  for (const [k, v] of from) {
    const prev = into.get(k)
    if (prev !== undefined && !k.startsWith('known/')) into.set(`known/${k}`, prev)
    into.set(k, v)
  }
}

/** A jail's option after interpolation, or undefined when neither the jail nor DEFAULT sets it. */
export function option (l: Layered, section: string, key: string): IniValue | undefined {
  const raw = l.sections.get(section)?.get(key) ?? l.defaults.get(key)
  if (raw === undefined) return undefined
  return { ...raw, value: interpolate(l, section, key, raw.value, 0) }
}

function interpolate (l: Layered, section: string, key: string, value: string, depth: number): string {
  if (depth > 20) throw new Error(`${section}.${key}: interpolation nested too deeply`)
  return value.replace(/%\(([^)]+)\)s/g, (_, ref: string) => {
    if (ref === '__name__') return section
    let v: IniValue | undefined
    if (ref.startsWith('default/')) v = l.defaults.get(ref.slice(8))
    else if (ref.startsWith('known/')) v = l.sections.get(section)?.get(ref) ?? l.defaults.get(ref) ?? l.defaults.get(ref.slice(6))
    else v = (ref === key ? undefined : l.sections.get(section)?.get(ref)) ?? l.defaults.get(ref)
    if (v === undefined) return ''
    // a reference to another key is resolved in the same section; `known/` and `default/` in DEFAULT
    const from = ref.startsWith('default/') ? 'DEFAULT' : section
    return interpolate(l, from, ref.replace(/^(default|known)\//, ''), v.value, depth + 1)
  })
}

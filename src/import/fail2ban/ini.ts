/**
 * fail2ban's configuration files: Python ConfigParser syntax as fail2ban uses it
 * (fail2ban/client/configparserinc.py): `[section]`, `key = value` or `key: value`, values
 * continued on indented lines, `#` and `;` comment lines, ` ;` inline comments, option names
 * lower-cased, an `[INCLUDES]` section with `before` / `after` file lists.
 */
export interface IniValue { value: string, file: string, line: number }
export type IniSection = Map<string, IniValue>

export interface IniFile {
  file: string
  defaults: IniSection
  sections: Map<string, IniSection>
  before: string[]
  after: string[]
}

export function parseIni (file: string, text: string): IniFile {
  const out: IniFile = { file, defaults: new Map(), sections: new Map(), before: [], after: [] }
  let current: IniSection | undefined
  let last: { section: IniSection, key: string } | undefined
  const lines = text.split(/\r?\n/)
  lines.forEach((raw, i) => {
    if (/^\s*$/.test(raw)) { last = undefined; return }
    if (/^[#;]/.test(raw)) return
    if (/^\s/.test(raw)) {
      // a continuation of the previous value (a comment line inside a value is skipped, as Python does)
      if (last === undefined || /^\s*[#;]/.test(raw)) return
      const prev = last.section.get(last.key)!
      last.section.set(last.key, { ...prev, value: `${prev.value}\n${stripInline(raw.trim())}` })
      return
    }
    const head = /^\[([^\]]+)\]\s*$/.exec(raw)
    if (head !== null) {
      const name = head[1]
      if (name === 'DEFAULT') current = out.defaults
      else {
        current = out.sections.get(name) ?? new Map()
        out.sections.set(name, current)
      }
      last = undefined
      return
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw)
    if (kv === null || current === undefined) throw new Error(`${file}:${i + 1}: not an option or section: ${raw.slice(0, 80)}`)
    const key = kv[1].toLowerCase()
    current.set(key, { value: stripInline(kv[2]), file, line: i + 1 })
    last = { section: current, key }
  })
  const inc = out.sections.get('INCLUDES')
  if (inc !== undefined) {
    out.before = listOf(inc.get('before')?.value)
    out.after = listOf(inc.get('after')?.value)
    out.sections.delete('INCLUDES')
  }
  return out
}

function stripInline (v: string): string {
  const m = /\s;/.exec(v)
  return (m === null ? v : v.slice(0, m.index)).trim()
}

function listOf (v: string | undefined): string[] {
  return (v ?? '').split('\n').map(s => s.trim()).filter(s => s !== '')
}

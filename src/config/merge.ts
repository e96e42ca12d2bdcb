import type { Issues, Path } from './issues.ts'
import { show } from './issues.ts'
import { locateIn } from './source.ts'
import type { ParsedSource } from './source.ts'
import { applyLocal, isLocalFile } from './local-layer.ts'

/**
 * A directory of files is one configuration: `patterns` and `streams` maps are merged, `start` and
 * `stop` lists concatenated in file order, and any other key may be set by one file only. A stream
 * may be split across files (its filters from several files). A name defined
 * twice is an error naming both places, never a silent override: with many files, "which one
 * wins" is exactly the question an admin should not have to ask.
 */
// reaction's packagers ship `plugins:` in a file of its own (OpenWrt: plugins.jsonnet), one entry per plugin
const MERGED_MAPS = new Set(['patterns', 'streams', 'plugins'])
const CONCATENATED = new Set(['start', 'stop'])

export interface Merged {
  value: Record<string, unknown>
  /** false when a source was not a map at all: checking the rest would only add noise */
  complete: boolean
  /** the source holding `path`, and the path inside that source */
  locate: (path: Path, atKey?: boolean) => string
  /** the file that set a top-level key (for resolving relative paths) */
  fileOf: (key: string) => string | undefined
}

export function merge (sources: readonly ParsedSource[], issues: Issues): Merged {
  const value: Record<string, unknown> = {}
  const owner = new Map<string, number>()
  const listOrigin: Record<string, Array<[number, number]>> = { start: [], stop: [] }
  let complete = true

  const recordStream = (name: string, def: Record<string, unknown>, si: number): void => {
    for (const k of Object.keys(def)) owner.set(`streams.${name}.${k}`, si)
    if (isPlainMap(def.filters)) for (const f of Object.keys(def.filters)) owner.set(`streams.${name}.filters.${f}`, si)
  }

  /**
   * A stream defined in several files (reaction's documentation says only that files are merged
   * in order; docs/configuration.md): its filters may come from different files (each filter from
   * one), and its other keys (`cmd`...) from one file, or the same value in each; a filter, or a
   * different value, defined twice is refused with both places, so no merge order can change what
   * an accepted configuration means.
   */
  const mergeStream = (
    name: string,
    into: Record<string, unknown>,
    def: Record<string, unknown>,
    prevSi: number,
    si: number
  ): void => {
    const here = (p: Path): string => locateIn(sources[si], p, true)
    const there = (p: Path, k: string): string => locateIn(sources[owner.get(k) ?? prevSi], p, true)
    for (const [k, v] of Object.entries(def)) {
      const at = ['streams', name, k]
      if (k === 'filters' && isPlainMap(v) && (into.filters === undefined || isPlainMap(into.filters))) {
        const filters = { ...((into.filters ?? {}) as Record<string, unknown>) }
        for (const [f, fdef] of Object.entries(v)) {
          const fid = `streams.${name}.filters.${f}`
          if (owner.has(fid)) {
            issues.add(
              [...at, f],
              `filter \`${name}.${f}\` is defined twice: here and at ${there([...at, f], fid)} (a stream may be split across files, each filter in one)`,
              { where: here([...at, f]) }
            )
            continue
          }
          owner.set(fid, si)
          filters[f] = fdef
        }
        into.filters = filters
        owner.set(`streams.${name}.filters`, owner.get(`streams.${name}.filters`) ?? si)
        continue
      }
      const kid = `streams.${name}.${k}`
      if (owner.has(kid)) {
        if (!sameValue(into[k], v)) {
          issues.add(at, `\`streams.${name}.${k}\` is set twice with different values: here and at ${there(at, kid)}`, {
            where: here(at)
          })
        }
        continue
      }
      owner.set(kid, si)
      into[k] = v
    }
  }

  const locals: number[] = []
  sources.forEach((src, si) => {
    // the override layer is applied once every base file is merged (local-layer.ts)
    if (isLocalFile(src.file)) { locals.push(si); return }
    const v = src.value
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      issues.add([], `expected the configuration to be a map of keys, got ${show(v)}`, { where: locateIn(src, []) })
      complete = false
      return
    }
    for (const [key, item] of Object.entries(v as Record<string, unknown>)) {
      if (MERGED_MAPS.has(key) && isPlainMap(item) && (value[key] === undefined || isPlainMap(value[key]))) {
        const target = (value[key] ?? {}) as Record<string, unknown>
        for (const [name, def] of Object.entries(item)) {
          const id = `${key}.${name}`
          const prev = owner.get(id)
          if (prev !== undefined && key === 'streams' && isPlainMap(def) && isPlainMap(target[name])) {
            mergeStream(name, target[name], def, prev, si)
            continue
          }
          if (prev !== undefined) {
            issues.add(
              [key, name],
              `${({ streams: 'stream', patterns: 'pattern', plugins: 'plugin' } as Record<string, string>)[key]} \`${name}\` is defined twice: here and at ${locateIn(sources[prev], [key, name], true)}`,
              { where: locateIn(src, [key, name], true) }
            )
            continue
          }
          owner.set(id, si)
          target[name] = key === 'streams' && isPlainMap(def) ? { ...def } : def
          if (key === 'streams' && isPlainMap(def)) recordStream(name, def, si)
        }
        value[key] = target
        owner.set(key, owner.get(key) ?? si)
      } else if (
        CONCATENATED.has(key) &&
        Array.isArray(item) &&
        (value[key] === undefined || Array.isArray(value[key]))
      ) {
        const target = (value[key] ?? []) as unknown[]
        item.forEach((cmd, i) => {
          target.push(cmd)
          listOrigin[key].push([si, i])
        })
        value[key] = target
        owner.set(key, owner.get(key) ?? si)
      } else {
        const prev = owner.get(key)
        if (prev !== undefined) {
          issues.add([key], `\`${key}\` is set twice: here and at ${locateIn(sources[prev], [key], true)}`, {
            where: locateIn(src, [key], true)
          })
          continue
        }
        owner.set(key, si)
        value[key] = item
      }
    }
  })

  const overridden = applyLocal(value, sources, locals, issues)

  const sourceFor = (path: Path): [number, Path] => {
    const [head, second] = path
    if (typeof head !== 'string') return [0, path]
    for (let n = path.length; n > 0 && overridden.size > 0; n--) {
      const si = overridden.get(path.slice(0, n).join('.'))
      if (si !== undefined) return [si, path]
    }
    if (head === 'streams' && path.length >= 3) {
      // a stream split across files: its filter, or its key, is where that file set it
      const deep = path[2] === 'filters' && path.length >= 4 ? owner.get(`streams.${String(second)}.filters.${String(path[3])}`) : undefined
      const si = deep ?? owner.get(`streams.${String(second)}.${String(path[2])}`)
      if (si !== undefined) return [si, path]
    }
    if (CONCATENATED.has(head) && typeof second === 'number') {
      const o = listOrigin[head][second]
      if (o !== undefined) return [o[0], [head, o[1], ...path.slice(2)]]
    }
    if (MERGED_MAPS.has(head) && second !== undefined) {
      const si = owner.get(`${head}.${String(second)}`)
      if (si !== undefined) return [si, path]
    }
    return [owner.get(head) ?? 0, path]
  }

  return {
    value,
    complete,
    locate: (path, atKey = false) => {
      if (sources.length === 0) return '<none>'
      const [si, local] = sourceFor(path)
      return locateIn(sources[si], local, atKey)
    },
    fileOf: key => {
      const si = overridden.get(key) ?? owner.get(key)
      return si === undefined ? undefined : sources[si].file
    }
  }
}

function sameValue (a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

function isPlainMap (v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

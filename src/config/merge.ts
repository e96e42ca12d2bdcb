import type { Issues, Path } from './issues.ts'
import { show } from './issues.ts'
import { locateIn } from './source.ts'
import type { ParsedSource } from './source.ts'

/**
 * A directory of files is one configuration: `patterns` and `streams` maps are merged, `start` and
 * `stop` lists concatenated in file order, and any other key may be set by one file only. A name
 * defined twice is an error naming both places, never a silent override: with many files, "which
 * one wins" is exactly the question an admin should not have to ask.
 */
const MERGED_MAPS = new Set(['patterns', 'streams'])
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

  sources.forEach((src, si) => {
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
          if (prev !== undefined) {
            issues.add([key, name], `${key === 'streams' ? 'stream' : 'pattern'} \`${name}\` is defined twice: here and at ${locateIn(sources[prev], [key, name], true)}`,
              { where: locateIn(src, [key, name], true) })
            continue
          }
          owner.set(id, si)
          target[name] = def
        }
        value[key] = target
        owner.set(key, owner.get(key) ?? si)
      } else if (CONCATENATED.has(key) && Array.isArray(item) && (value[key] === undefined || Array.isArray(value[key]))) {
        const target = (value[key] ?? []) as unknown[]
        item.forEach((cmd, i) => { target.push(cmd); listOrigin[key].push([si, i]) })
        value[key] = target
        owner.set(key, owner.get(key) ?? si)
      } else {
        const prev = owner.get(key)
        if (prev !== undefined) {
          issues.add([key], `\`${key}\` is set twice: here and at ${locateIn(sources[prev], [key], true)}`,
            { where: locateIn(src, [key], true) })
          continue
        }
        owner.set(key, si)
        value[key] = item
      }
    }
  })

  const sourceFor = (path: Path): [number, Path] => {
    const [head, second] = path
    if (typeof head !== 'string') return [0, path]
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
      const si = owner.get(key)
      return si === undefined ? undefined : sources[si].file
    }
  }
}

function isPlainMap (v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

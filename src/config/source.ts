import { LineCounter, parseDocument, isMap, isScalar, isPair, isCollection, isSeq } from 'yaml'
import type { Document, Node } from 'yaml'
import type { Issues, Path } from './issues.ts'

/**
 * One configuration file as text. `positions: false` for text that is not what the user wrote
 * (jsonnet output): issues then name only the file.
 */
export interface Source {
  file: string
  text: string
  format: 'yaml' | 'json'
  positions?: boolean
}

export interface ParsedSource {
  file: string
  positions: boolean
  doc: Document.Parsed
  lines: LineCounter
  value: unknown
}

/** Parse each source with `yaml` (JSON is YAML 1.2) so both get node ranges. */
export function parseSources (sources: readonly Source[], issues: Issues): ParsedSource[] {
  const out: ParsedSource[] = []
  for (const s of sources) {
    const lines = new LineCounter()
    // JSON's duplicate keys are as wrong as YAML's: `uniqueKeys` reports both
    const doc = parseDocument(s.text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true })
    const positions = s.positions !== false
    for (const e of doc.errors) {
      const where = positions && e.linePos !== undefined ? `${s.file}:${e.linePos[0].line}:${e.linePos[0].col}` : s.file
      issues.add([], `${s.format === 'json' ? 'JSON' : 'YAML'} syntax: ${e.message.split('\n')[0]}`, { where })
    }
    if (doc.errors.length > 0) continue
    // checked on the syntax tree, before any JavaScript object exists: a `__proto__` key would
    // otherwise become the prototype of the map holding it (its keys read as the config's own)
    if (!checkTree({ file: s.file, positions, lines }, doc.contents, [], issues)) continue
    out.push({ file: s.file, positions, doc, lines, value: doc.toJS({ maxAliasCount: 1000 }) ?? {} })
  }
  return out
}

/**
 * Keys that name JavaScript's object machinery are refused anywhere in the tree: no Palisade key
 * is called that, and a loader that let one through would let a file change every map's
 * defaults. A NUL byte is refused in every string: no path, argv element or regex can hold one
 * (the kernel cuts a path there; execve refuses it), so it only ever means a forged file.
 */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

function checkTree (src: Located, node: unknown, path: Array<string | number>, issues: Issues): boolean {
  let ok = true
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined
      const at = [...path, key ?? '?']
      if (key !== undefined && FORBIDDEN_KEYS.has(key)) {
        issues.add(at, `key \`${key}\` is not allowed (it names JavaScript object internals, never a configuration key)`,
          { where: nodeStart(src, pair.key as Node) })
        ok = false
        continue
      }
      if (!checkTree(src, pair.key, at, issues) || !checkTree(src, pair.value, at, issues)) ok = false
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => { if (!checkTree(src, item, [...path, i], issues)) ok = false })
  } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('\0')) {
    issues.add(path, 'a NUL byte is not allowed in a configuration value (no path, command or regex can hold one)',
      { where: nodeStart(src, node) })
    ok = false
  }
  return ok
}

type Located = Pick<ParsedSource, 'file' | 'positions' | 'lines'>

function nodeStart (src: Located, node: Node | null | undefined): string {
  if (!src.positions || node == null || node.range == null) return src.file
  const p = src.lines.linePos(node.range[0])
  return `${src.file}:${p.line}:${p.col}`
}

/**
 * `file:line:col` of the deepest node of `path` present in the source: the value itself, or for
 * a missing key its parent map. With `atKey`, the key of the last segment rather than its value.
 */
export function locateIn (src: ParsedSource, path: Path, atKey = false): string {
  for (let n = path.length; n >= 0; n--) {
    const prefix = path.slice(0, n)
    const node = prefix.length === 0 ? src.doc.contents : src.doc.getIn(prefix, true) as Node | undefined
    if (node === undefined) continue
    if (atKey && n === path.length && n > 0) {
      const parent = n === 1 ? src.doc.contents : src.doc.getIn(path.slice(0, n - 1), true)
      if (isMap(parent)) {
        const pair = parent.items.find(it => isPair(it) && isScalar(it.key) && it.key.value === path[n - 1])
        if (pair !== undefined && (isScalar(pair.key) || isCollection(pair.key))) {
          return nodeStart(src, pair.key as Node)
        }
      }
    }
    return nodeStart(src, node as Node)
  }
  return src.file
}

import { LineCounter, parseDocument, isMap, isScalar, isPair, isCollection } from 'yaml'
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
    out.push({ file: s.file, positions, doc, lines, value: doc.toJS({ maxAliasCount: 1000 }) ?? {} })
  }
  return out
}

function nodeStart (src: ParsedSource, node: Node | null | undefined): string {
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
        if (pair !== undefined && (isScalar(pair.key) || isCollection(pair.key))) return nodeStart(src, pair.key as Node)
      }
    }
    return nodeStart(src, node as Node)
  }
  return src.file
}

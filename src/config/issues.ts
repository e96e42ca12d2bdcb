/**
 * Problems found while reading a configuration, before they are located in a file. Every stage
 * (parse, merge, schema, semantic checks) pushes here and keeps going: the user gets all problems
 * of a configuration in one run, never only the first.
 */
export type Path = ReadonlyArray<string | number>

export interface RawIssue {
  path: Path
  message: string
  /** point at the key itself rather than its value (unknown keys) */
  atKey?: boolean
  /** already located (parse errors, merge conflicts): used as is */
  where?: string
}

export class Issues {
  readonly list: RawIssue[] = []

  add (path: Path, message: string, opts: { atKey?: boolean, where?: string } = {}): void {
    this.list.push({ path, message, ...opts })
  }

  get count (): number {
    return this.list.length
  }
}

/** Render a value as it appeared in the file, for "got ..." in messages. */
export function show (v: unknown): string {
  if (v === undefined) return 'nothing'
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a list'
  if (typeof v === 'object') return 'a map'
  return JSON.stringify(v)
}

export function levenshtein (a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]
    prev[0] = i
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1))
      diag = up
    }
  }
  return prev[b.length]
}

/** The closest known name when it is close enough to be a typo (case and `_`/`-` ignored). */
export function closest (word: string, known: Iterable<string>): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/[-_]/g, '')
  const w = norm(word)
  let best: string | undefined
  let bestDist = Infinity
  for (const k of known) {
    const d = levenshtein(w, norm(k))
    if (d < bestDist) { best = k; bestDist = d }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)))
  return bestDist <= limit ? best : undefined
}

export function unknownKeyMessage (key: string, known: Iterable<string>): string {
  const near = closest(key, known)
  return `unknown key \`${key}\`` + (near === undefined ? '' : `; did you mean \`${near}\`?`)
}

export function dotted (path: Path): string {
  return path.join('.')
}

import type { z } from 'zod'
import { KNOWN_KEYS } from './values.ts'
import { show, unknownKeyMessage } from './issues.ts'
import type { Issues, Path } from './issues.ts'

/**
 * Translate zod's issues into Palisade's wording, one issue per unknown key (located at the key,
 * with a did-you-mean) and "missing required key" for absent values.
 */
export function addZodIssues (error: z.ZodError, prefix: Path, issues: Issues): void {
  for (const iss of error.issues) {
    const path: Path = [...prefix, ...iss.path.map(p => typeof p === 'symbol' ? String(p) : p)]
    switch (iss.code) {
      case 'unrecognized_keys': {
        const known = iss.message.startsWith(KNOWN_KEYS) ? iss.message.slice(KNOWN_KEYS.length).split(',') : []
        for (const key of iss.keys) issues.add([...path, key], unknownKeyMessage(key, known), { atKey: true })
        break
      }
      case 'invalid_type': {
        const input = (iss as { input?: unknown }).input
        const last = path[path.length - 1]
        if (input === undefined && typeof last === 'string') {
          issues.add(path.slice(0, -1), `missing required key \`${last}\``)
        } else {
          const expected = iss.expected === 'object' || iss.expected === 'record' ? 'a map' : iss.expected === 'array' ? 'a list' : `a ${iss.expected}`
          issues.add(path, `expected ${expected}, got ${show(input)}`)
        }
        break
      }
      case 'too_small':
        issues.add(path, iss.origin === 'array' ? 'expected a non-empty list' : `expected at least ${String(iss.minimum)}`)
        break
      default: {
        // a leaf validator given nothing: the key is absent from its map
        const last = path[path.length - 1]
        if (iss.code === 'custom' && 'input' in iss && iss.input === undefined && typeof last === 'string') {
          issues.add(path.slice(0, -1), `missing required key \`${last}\``)
        } else {
          issues.add(path, iss.message)
        }
      }
    }
  }
}

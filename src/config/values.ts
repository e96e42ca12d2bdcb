import { z } from 'zod'
import { durationBoundError, tryParseDuration } from '../common/duration.ts'
import { show } from './issues.ts'

/**
 * Leaf validators with Palisade's own messages ("expected a positive integer, got "three"").
 * Each is a zod transform so the schema keeps its defaults beside its rules, while the wording
 * stays the same whatever zod version formats its built-in issues.
 */
function leaf<T> (fn: (v: unknown) => { ok: T } | { err: string }): z.ZodType<T, unknown> {
  return z.unknown().transform((v, ctx) => {
    const r = fn(v)
    if ('err' in r) {
      ctx.issues.push({ code: 'custom', message: r.err, input: v })
      return z.NEVER
    }
    return r.ok
  })
}

export const str = leaf<string>(v => typeof v === 'string' && v !== ''
  ? { ok: v }
  : { err: `expected a non-empty string, got ${show(v)}` })

export const bool = leaf<boolean>(v => typeof v === 'boolean' ? { ok: v } : { err: `expected true or false, got ${show(v)}` })

export function intIn (min: number, max: number, what: string): z.ZodType<number, unknown> {
  return leaf<number>(v => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
    ? { ok: v }
    : { err: `expected ${what}, got ${show(v)}` })
}

export const posInt = intIn(1, Number.MAX_SAFE_INTEGER, 'a positive integer')
export const nonNegInt = intIn(0, Number.MAX_SAFE_INTEGER, 'a non-negative integer')

export function numberAbove (min: number, inclusive: boolean): z.ZodType<number, unknown> {
  const what = `a number ${inclusive ? '>=' : '>'} ${min}`
  return leaf<number>(v => typeof v === 'number' && Number.isFinite(v) && (inclusive ? v >= min : v > min)
    ? { ok: v }
    : { err: `expected ${what}, got ${show(v)}` })
}

// reaction's units (reference/action.md `after`) beside duration.ts's: `millis` is reaction's alone
const REACTION_UNIT = /(\d)\s*millis\b/gi

/** A duration text with reaction's units too, in ms; null when it is not one (bounds not checked). */
export function parseDurationText (text: string): number | null {
  return tryParseDuration(text.replace(REACTION_UNIT, '$1ms'))
}

/** Durations are text with a unit; a bare number is refused (seconds or milliseconds? see duration.ts). */
export const duration = leaf<number>(v => {
  if (typeof v === 'string') {
    const ms = parseDurationText(v)
    const bound = ms === null ? null : durationBoundError(ms)
    if (bound !== null) return { err: bound }
    if (ms !== null) return { ok: ms }
  }
  const hint = typeof v === 'number' ? ' (a bare number has no unit: write "10m", "6h"...)' : ''
  return { err: `expected a duration such as "30s", "10m", "6h", "1h30m" or "2 days", got ${show(v)}${hint}` }
})

export function oneOf<const T extends string> (values: readonly T[]): z.ZodType<T, unknown> {
  return leaf<T>(v => typeof v === 'string' && (values as readonly string[]).includes(v)
    ? { ok: v as T }
    : { err: `expected one of ${values.join(', ')}, got ${show(v)}` })
}

/** A command as an argv list of strings, never a shell line. */
export const argv = leaf<string[]>(v => {
  if (typeof v === 'string') {
    return { err: `expected a command as a list of strings such as ["nft", "add", "element", ...], got ${show(v)} (commands never go through a shell)` }
  }
  if (!Array.isArray(v) || v.length === 0) return { err: `expected a non-empty list of strings (argv), got ${show(v)}` }
  const bad = v.findIndex(a => typeof a !== 'string')
  if (bad !== -1) return { err: `expected a list of strings (argv), got ${show(v[bad])} at position ${bad}` }
  if (v[0] === '') return { err: 'expected a command name as the first element, got ""' }
  return { ok: v as string[] }
})

export const strList = leaf<string[]>(v => {
  if (!Array.isArray(v)) return { err: `expected a list of strings, got ${show(v)}` }
  const bad = v.findIndex(a => typeof a !== 'string')
  if (bad !== -1) return { err: `expected a list of strings, got ${show(v[bad])} at position ${bad}` }
  return { ok: v as string[] }
})

/** Maps whose keys are user names (streams, filters, patterns): a map, not a list. */
export function named<T extends z.ZodType> (value: T): z.ZodRecord<z.ZodString, T> {
  return z.record(z.string(), value)
}

/** Marker put in a strict object's unknown-key issue so the mapper can list the known keys. */
export const KNOWN_KEYS = '\u0000known:'

export function obj<S extends z.ZodRawShape> (shape: S): z.ZodObject<S, z.core.$strict> {
  const known = Object.keys(shape)
  return z.strictObject(shape, {
    error: iss => iss.code === 'unrecognized_keys' ? KNOWN_KEYS + known.join(',') : undefined
  })
}

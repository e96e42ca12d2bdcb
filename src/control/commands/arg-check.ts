/**
 * The socket arguments' schemas in compiled form: each command's zod schema (its module's
 * `socket.schema`) turned into this JSON-Schema subset by `node scripts/cli-doc.ts --write`
 * (arg-schemas.ts), so the daemon checks untrusted arguments without loading zod (~7 MB private
 * memory for as long as it runs, from the first `palisade status` on). A test keeps the two
 * in agreement on random arguments.
 */
export interface ArgSchema {
  type?: 'object' | 'string' | 'integer' | 'number' | 'boolean' | 'array'
  properties?: Readonly<Record<string, ArgSchema>>
  required?: readonly string[]
  /** false: no other key; a schema: every other key's value */
  additionalProperties?: false | ArgSchema
  propertyNames?: ArgSchema
  enum?: readonly unknown[]
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  items?: ArgSchema
  maxItems?: number
}

const kind = (v: unknown): string => v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v

/** the first problem, naming the argument (`argument offset: …`), or null when the value fits */
export function checkArgs (s: ArgSchema, v: unknown, where = 'arguments'): string | null {
  if (s.enum !== undefined) {
    return s.enum.includes(v) ? null : `${where}: one of ${s.enum.map(x => JSON.stringify(x)).join(', ')}`
  }
  switch (s.type) {
    case undefined: return null
    case 'string': {
      if (typeof v !== 'string') return `${where}: expected a string, got ${kind(v)}`
      if (s.minLength !== undefined && v.length < s.minLength) return `${where}: at least ${s.minLength} characters`
      if (s.maxLength !== undefined && v.length > s.maxLength) return `${where}: at most ${s.maxLength} characters`
      return null
    }
    case 'integer':
    case 'number': {
      const ok = typeof v === 'number' && (s.type === 'integer' ? Number.isSafeInteger(v) : Number.isFinite(v))
      if (!ok) return `${where}: expected ${s.type === 'integer' ? 'an integer' : 'a number'}, got ${kind(v)}`
      if ((s.minimum !== undefined && v < s.minimum) || (s.maximum !== undefined && v > s.maximum)) {
        return `${where}: out of ${s.minimum ?? ''}..${s.maximum === Number.MAX_SAFE_INTEGER ? '' : s.maximum ?? ''}`
      }
      return null
    }
    case 'boolean': return typeof v === 'boolean' ? null : `${where}: expected true or false, got ${kind(v)}`
    case 'array': {
      if (!Array.isArray(v)) return `${where}: expected a list, got ${kind(v)}`
      if (s.maxItems !== undefined && v.length > s.maxItems) return `${where}: at most ${s.maxItems} items`
      for (let i = 0; i < v.length; i++) {
        const p = s.items === undefined ? null : checkArgs(s.items, v[i], `${where}.${i}`)
        if (p !== null) return p
      }
      return null
    }
    case 'object': return checkObject(s, v, where)
  }
}

function checkObject (s: ArgSchema, v: unknown, where: string): string | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return `${where}: expected an object, got ${kind(v)}`
  const o = v as Record<string, unknown>
  const at = (k: string): string => where === 'arguments' ? `argument ${k}` : `${where}.${k}`
  // every problem at once, as zod reports them: a script fixes its request in one go
  const problems: string[] = []
  for (const k of s.required ?? []) if (!Object.hasOwn(o, k)) problems.push(`${at(k)}: missing`)
  for (const [k, x] of Object.entries(o)) {
    const known = s.properties !== undefined && Object.hasOwn(s.properties, k) ? s.properties[k] : undefined
    if (known === undefined && s.additionalProperties === false) {
      problems.push(`${where}: unknown argument ${JSON.stringify(k)}`)
      continue
    }
    const key = s.propertyNames === undefined ? null : checkArgs(s.propertyNames, k, `${at(k)} (its name)`)
    const schema = known ?? (s.additionalProperties === false ? undefined : s.additionalProperties)
    const p = key ?? (schema === undefined ? null : checkArgs(schema, x, at(k)))
    if (p !== null) problems.push(p)
  }
  return problems.length === 0 ? null : problems.join('; ')
}

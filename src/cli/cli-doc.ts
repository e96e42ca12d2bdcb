import * as z from 'zod'
import { COMMANDS, loadAll } from '../control/commands/table.ts'
import type { ArgSchema } from '../control/commands/arg-check.ts'
import type { CommandEntry, SocketSide } from '../control/commands/types.ts'
import { allCommands, usageOf, type CommandNode } from './program-tree.ts'

/**
 * docs/cli.md, generated from the command table (`node scripts/cli-doc.ts --write`; a test keeps
 * the committed file in step): every command with its arguments and flags, then the control
 * socket's verbs with the arguments their schemas accept.
 */
export async function cliDoc (root: CommandNode, table: readonly CommandEntry[] = COMMANDS): Promise<string> {
  const cell = (s: string): string => s.replaceAll('|', '\\|')
  const lines = [
    '# Command line reference',
    '',
    '<!-- generated from src/control/commands/table.ts by `node scripts/cli-doc.ts --write`: do not edit -->',
    '',
    root.description,
    '',
    'Exit status: 0 on success; 1 on failure, with a one-line reason on standard error (test-config prints',
    'every configuration error, one a line).',
    '',
    '## Global options',
    '',
    '| option | meaning |',
    '| --- | --- |',
    ...root.options.map(o => `| \`${o.flags}\` | ${cell(o.description)} |`),
    ''
  ]
  for (const c of allCommands(root)) {
    lines.push(`## palisade ${c.path.join(' ')}`, '')
    if (c.description !== '') lines.push(c.description, '')
    if (c.commands.length > 0 && c.args.length === 0 && c.options.length === 0) {
      lines.push(`Commands: ${c.commands.map(s => `\`${s.name}\``).join(', ')}.`, '')
      continue
    }
    lines.push('```', usageOf(c), '```', '')
    const choices = (c: readonly string[] | undefined): string => c === undefined ? '' : ` (${c.join(', ')})`
    const rows = [
      ...c.args.map(a => `| \`${a.name}\`${a.required ? '' : ' (optional)'}${a.variadic ? ', repeatable' : ''} | ` +
        `${cell(a.description)}${choices(a.choices)} |`),
      ...c.options.map(o => `| \`${o.flags}\` | ${cell(o.description)}${choices(o.choices)} |`)
    ]
    if (rows.length > 0) lines.push('| argument or option | meaning |', '| --- | --- |', ...rows, '')
  }
  lines.push(
    '## Control socket',
    '',
    'The CLI and the daemon speak JSON lines over the control socket (mode 0600): one request',
    '`{"cmd": VERB, "args": {...}}` per connection, one answer `{"ok": true, "result": ...}` or',
    '`{"ok": false, "code": "PAL_ERR_...", "error": "..."}`. Arguments are checked against the verb\'s',
    'schema first: an unknown verb, an unknown argument or a value of the wrong type is refused with',
    '`PAL_ERR_CONTROL_BAD_REQUEST` naming the argument. Heavy verbs (answers that grow with the bans) run a',
    'few at a time.',
    '',
    '| verb | command | arguments | heavy |',
    '| --- | --- | --- | --- |'
  )
  for (const { entry: e, impl } of await loadAll(table)) {
    if (impl.socket === undefined) continue
    const shown = e.hidden === true ? '-' : `palisade ${e.path.join(' ')}`
    lines.push(`| \`${impl.socket.verb}\` | ${shown} | ${cell(argsOf(impl.socket))} | ${impl.socket.heavy === true ? 'yes' : ''} |`)
  }
  return lines.join('\n') + '\n'
}

interface JsonSchema {
  type?: string
  properties?: Record<string, JsonSchema>
  required?: string[]
  enum?: unknown[]
  items?: JsonSchema
  additionalProperties?: JsonSchema | boolean
  minimum?: number
  maximum?: number
}

function argsOf (side: SocketSide): string {
  const s = argSchema(side) as JsonSchema
  const props = Object.entries(s.properties ?? {})
  if (props.length === 0) return 'none'
  return props.map(([k, p]) => `\`${k}\`${(s.required ?? []).includes(k) ? '' : '?'}: ${typeOf(p)}`).join(', ')
}

function typeOf (p: JsonSchema): string {
  if (p.enum !== undefined) return p.enum.map(v => JSON.stringify(v)).join(' or ')
  if (p.type === 'array') return `${typeOf(p.items ?? {})}[]`
  if (p.type === 'object') {
    return `{name: ${typeof p.additionalProperties === 'object' ? typeOf(p.additionalProperties) : 'any'}}`
  }
  const max = p.maximum === Number.MAX_SAFE_INTEGER ? undefined : p.maximum
  const range = p.minimum !== undefined || max !== undefined ? ` ${p.minimum ?? ''}..${max ?? ''}` : ''
  return `${p.type ?? 'any'}${range}`
}

const ARG_KEYS = new Set(['type', 'properties', 'required', 'additionalProperties', 'propertyNames', 'enum', 'minLength',
  'maxLength', 'minimum', 'maximum', 'items', 'maxItems'])

/** a zod schema as the daemon checks it (src/control/commands/arg-check.ts) */
export function argSchema (side: SocketSide): ArgSchema {
  const keep = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) {
      if (k === 'properties') out[k] = Object.fromEntries(Object.entries(x as object).map(([n, p]) => [n, keep(p)]))
      else if (ARG_KEYS.has(k)) out[k] = keep(x)
    }
    return out
  }
  return keep(z.toJSONSchema(side.schema(z), { io: 'input', unrepresentable: 'throw' })) as ArgSchema
}

/** src/control/commands/arg-schemas.ts: every verb's schema, compiled (`node scripts/cli-doc.ts --write`) */
export async function argSchemasSource (table: readonly CommandEntry[] = COMMANDS): Promise<string> {
  const verbs: Record<string, ArgSchema> = {}
  for (const { impl } of await loadAll(table)) {
    if (impl.socket !== undefined) verbs[impl.socket.verb] = argSchema(impl.socket)
  }
  return [
    '// generated from each command\'s zod schema by `node scripts/cli-doc.ts --write`: do not edit',
    "import type { ArgSchema } from './arg-check.ts'",
    '',
    `export const ARG_SCHEMAS: Readonly<Record<string, ArgSchema>> = ${literal(verbs, '')}`,
    ''
  ].join('\n')
}

const quote = (s: string): string => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`

function literal (v: unknown, indent: string): string {
  if (Array.isArray(v)) return `[${v.map(x => literal(x, indent)).join(', ')}]`
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v)
    if (entries.length === 0) return '{}'
    const inner = indent + '  '
    const keys = entries.map(([k, x]) => `${inner}${/^[A-Za-z_$][\w$]*$/.test(k) ? k : quote(k)}: ${literal(x, inner)}`)
    return `{\n${keys.join(',\n')}\n${indent}}`
  }
  return typeof v === 'string' ? quote(v) : String(v)
}

/**
 * The control socket speaks JSON lines: one request `{cmd, args}` per connection, one response
 * `{ok: true, result}` or `{ok: false, code, error}`. Requests are capped at 64 KiB; the socket is
 * mode 0600 so only root (or the daemon's user) can ban or unban.
 */
export const MAX_REQUEST_BYTES = 64 * 1024

/** The most bans one `show` answer carries; the CLI asks page after page (`offset`). */
export const SHOW_PAGE_MAX = 1000

export interface ControlRequest {
  cmd: string
  args: Record<string, unknown>
}

export type ControlResponse =
  | { ok: true, result: unknown }
  | { ok: false, code: string, error: string }

export type ControlHandler = (args: Record<string, unknown>) => Promise<unknown>

/** A verb the socket answers: `heavy` ones (answers that grow with the bans) run a few at a time. */
export interface ControlVerb {
  heavy: boolean
  run: ControlHandler
}

/**
 * The verbs a server answers, or how to load them on the first request: the daemon's come from the
 * command table (src/control/commands/socket-verbs.ts), whose schemas need zod, which an idle
 * daemon never asked anything does not load. A bare handler is a light verb.
 */
export type ControlVerbs = ReadonlyMap<string, ControlVerb | ControlHandler>
export type ControlVerbSource = ControlVerbs | (() => Promise<ControlVerbs>)

/**
 * A request line → request, or null when it is not one. Untrusted text: JSON only, a string
 * command, plain-object arguments, and no key that names object internals (handlers read
 * `args[name]`, which must never reach a prototype).
 */
export function parseRequest (line: string): ControlRequest | null {
  if (line.length > MAX_REQUEST_BYTES) return null
  let v: unknown
  try {
    v = JSON.parse(line)
  } catch {
    return null
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null
  const { cmd, args } = v as Record<string, unknown>
  if (typeof cmd !== 'string' || cmd.length === 0 || cmd.length > 64) return null
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return null
  if (Object.getPrototypeOf(args) !== Object.prototype) return null
  for (const k of Object.keys(args)) if (k === '__proto__' || k === 'constructor' || k === 'prototype') return null
  return { cmd, args: args as Record<string, unknown> }
}

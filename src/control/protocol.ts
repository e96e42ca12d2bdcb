/**
 * The control socket speaks JSON lines: one request `{cmd, args}` per connection, one response
 * `{ok: true, result}` or `{ok: false, code, error}`. Requests are capped at 64 KiB; the socket is
 * mode 0600 so only root (or the daemon's user) can ban or unban.
 */
export const MAX_REQUEST_BYTES = 64 * 1024

export interface ControlRequest {
  cmd: string
  args: Record<string, unknown>
}

export type ControlResponse =
  | { ok: true, result: unknown }
  | { ok: false, code: string, error: string }

export type ControlHandler = (args: Record<string, unknown>) => Promise<unknown>

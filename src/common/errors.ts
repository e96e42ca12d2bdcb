/**
 * Every error Palisade raises on purpose carries a stable `code` (fastify style): callers and tests
 * match on `.code`, never on message text. docs/errors.md lists each code with how to fix it, and
 * test/unit/common/errors-doc.test.ts fails when the two disagree.
 */
export class PalisadeError extends Error {
  readonly code: string
  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = 'PalisadeError'
  }
}

/** All codes, grouped by area. Add here, then document in docs/errors.md. */
export const ErrorCodes = {
  CONFIG_INVALID: 'PAL_ERR_CONFIG_INVALID',
  CONFIG_READ: 'PAL_ERR_CONFIG_READ',
  CONFIG_JSONNET: 'PAL_ERR_CONFIG_JSONNET',
  DURATION_INVALID: 'PAL_ERR_DURATION_INVALID',
  IP_INVALID: 'PAL_ERR_IP_INVALID',
  STREAM_SPAWN: 'PAL_ERR_STREAM_SPAWN',
  ACTION_FAILED: 'PAL_ERR_ACTION_FAILED',
  START_COMMAND_FAILED: 'PAL_ERR_START_COMMAND_FAILED',
  FW_UNAVAILABLE: 'PAL_ERR_FW_UNAVAILABLE',
  FW_COMMAND_FAILED: 'PAL_ERR_FW_COMMAND_FAILED',
  FW_UNKNOWN_BACKEND: 'PAL_ERR_FW_UNKNOWN_BACKEND',
  STORE_OPEN: 'PAL_ERR_STORE_OPEN',
  STORE_LOCKED: 'PAL_ERR_STORE_LOCKED',
  DECIDE_ALLOWLISTED: 'PAL_ERR_DECIDE_ALLOWLISTED',
  DECIDE_NOT_BANNED: 'PAL_ERR_DECIDE_NOT_BANNED',
  CONTROL_NO_DAEMON: 'PAL_ERR_CONTROL_NO_DAEMON',
  CONTROL_SOCKET_IN_USE: 'PAL_ERR_CONTROL_SOCKET_IN_USE',
  CONTROL_BAD_REQUEST: 'PAL_ERR_CONTROL_BAD_REQUEST',
  CONTROL_BUSY: 'PAL_ERR_CONTROL_BUSY',
  RELOAD_NOT_READY: 'PAL_ERR_RELOAD_NOT_READY',
  CLI_USAGE: 'PAL_ERR_CLI_USAGE',
  FED_IDENTITY: 'PAL_ERR_FED_IDENTITY',
  FED_DECODE: 'PAL_ERR_FED_DECODE',
  FED_SIGNATURE: 'PAL_ERR_FED_SIGNATURE',
  FED_START: 'PAL_ERR_FED_START',
  TRUST_UNKNOWN_PEER: 'PAL_ERR_TRUST_UNKNOWN_PEER',
  TRUST_BAD_KEY: 'PAL_ERR_TRUST_BAD_KEY'
} as const

export type ErrorCode = typeof ErrorCodes[keyof typeof ErrorCodes]

export function palisadeError (code: ErrorCode, message: string, cause?: unknown): PalisadeError {
  return new PalisadeError(code, message, cause === undefined ? undefined : { cause })
}

/** One configuration problem, already located. */
export interface ConfigIssue {
  /** `file:line:col`, or just `file` when no position is known */
  where: string
  /** dotted path such as `streams.ssh.filters.fail.retry` ('' for the document root) */
  path: string
  message: string
}

/** All problems of a configuration at once, never only the first. */
export class ConfigInvalidError extends PalisadeError {
  readonly issues: readonly ConfigIssue[]
  constructor (issues: readonly ConfigIssue[]) {
    super(ErrorCodes.CONFIG_INVALID, issues.map(formatIssue).join('\n'))
    this.issues = issues
    this.name = 'ConfigInvalidError'
  }
}

export function formatIssue (i: ConfigIssue): string {
  return `${i.where}: ${i.path === '' ? '' : i.path + ': '}${i.message}`
}

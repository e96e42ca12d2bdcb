import { ErrorCodes, palisadeError } from '../../common/errors.ts'

/** reaction's target words: NAME=REGEX filters, and at most one address or prefix */
export function targetsOf (words: readonly string[]): { ip?: string, patterns: Record<string, string> } {
  const patterns: Record<string, string> = {}
  let ip: string | undefined
  for (const w of words) {
    const eq = w.indexOf('=')
    if (eq > 0) { patterns[w.slice(0, eq)] = w.slice(eq + 1); continue }
    if (ip !== undefined) throw palisadeError(ErrorCodes.CLI_USAGE, `one address at a time (got ${ip} and ${w}); filter several with NAME=REGEX`)
    ip = w
  }
  return ip === undefined ? { patterns } : { ip, patterns }
}

import { ErrorCodes, palisadeError } from '../../common/errors.ts'
import { parseSubject } from '../../common/ip.ts'
import type { ControlStages } from '../stages.ts'

/*
 * The daemon-side checks a schema cannot make (IP syntax, durations): loaded by the handlers when
 * they run, so the CLI, which loads the table for its commands, never loads the address parser.
 */

/** an address or prefix, normalised; PAL_ERR_IP_INVALID naming the text otherwise */
export function subjectArg (text: string): string {
  const s = parseSubject(text.trim())
  if (s === null) throw palisadeError(ErrorCodes.IP_INVALID, `${JSON.stringify(text)} is not an IP address or CIDR prefix`)
  return s.text
}

export function requireFederation (s: ControlStages): NonNullable<ControlStages['federation']> {
  if (s.federation === undefined) {
    throw palisadeError(ErrorCodes.CONTROL_BAD_REQUEST, 'federation is not configured (add a `federation:` section)')
  }
  return s.federation
}

export { parseDuration } from '../../common/duration.ts'
export { selection } from '../selection.ts'

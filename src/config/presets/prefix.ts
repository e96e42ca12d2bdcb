/**
 * Line prefixes shared by the presets, as regex source text (JavaScript syntax).
 *
 * A daemon's message reaches Palisade in one of four shapes:
 *   Nov 23 14:09:01 host sshd[123]: MSG                      syslog, RFC 3164 (Debian's rsyslog before 12)
 *   2026-11-23T14:09:01.123456+00:00 host sshd[123]: MSG     rsyslog high-precision / RFC 3339 timestamps
 *   2026-11-23T14:09:01+0000 host sshd[123]: MSG             `journalctl -o short-iso`
 *   MSG                                                      journald's MESSAGE field (the journal source)
 * and, rarely, a full RFC 5424 frame `<38>1 2026-11-23T14:09:01.123Z host sshd 123 - - MSG`.
 *
 * Every prefix starts with `^`: the attacker controls text *inside* MSG (user names, URLs), never
 * the start of the line, so anchoring is what keeps a forged `from 198.51.100.9` out of reach.
 * No quantifier here is nested in another, and each optional part starts with a distinct token,
 * so a failing line costs one linear scan (test/unit/presets/redos.test.ts checks it).
 */

/** `Nov 23 14:09:01` (day padded with a space or not) */
export const TS_3164 = String.raw`[A-Z][a-z]{2} {1,2}\d{1,2} \d\d:\d\d:\d\d`

/** `2026-11-23T14:09:01`, optional fraction, optional `Z` / `+00:00` / `+0000` */
export const TS_ISO = String.raw`\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?`

/** either timestamp */
export const TS_SYSLOG = `(?:${TS_3164}|${TS_ISO})`

/**
 * The optional syslog prefix before a program's message: `^(?:TS HOST PROG[PID]: )?`.
 * `prog` is regex source for the program name (e.g. `sshd(?:-session|-auth)?`); it must not
 * contain `[`, `:` or spaces. The host is one token; the pid is optional (dovecot, postfix' master).
 */
export function syslogPrefix (prog: string): string {
  const bsd = `(?:${TS_SYSLOG} )?[^\\s\\[\\]]+ (?:${prog})(?:\\[\\d+\\])?: `
  const rfc5424 = `<\\d{1,3}>1 ${TS_ISO} \\S+ (?:${prog}) (?:\\d+|-) \\S+ - `
  return `^(?:${bsd}|${rfc5424})?`
}

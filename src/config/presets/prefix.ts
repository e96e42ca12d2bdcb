/**
 * Line prefixes shared by the presets, as regex source text (JavaScript syntax).
 *
 * A daemon's message reaches Palisade in one of these shapes:
 *   Nov 23 14:09:01 host sshd[123]: MSG                      syslog, RFC 3164 (Debian's rsyslog before 12)
 *   2026-11-23T14:09:01.123456+00:00 host sshd[123]: MSG     rsyslog high-precision / RFC 3339 timestamps
 *   2026-11-23T14:09:01+0000 host sshd[123]: MSG             `journalctl -o short-iso`
 *   host sshd[123]: MSG                                      journal lines printed without a date
 *   Nov 23 14:09:01 host sshd[123] MSG                       rsyslog templates without the colon
 *   Nov 23 14:09:01 host authpriv.info sshd[123]: MSG        busybox syslogd (its -S drops the host)
 *   Sat Nov 23 14:09:01 2026 authpriv.info sshd[123]: MSG    OpenWrt logread (ctime stamp, facility.level)
 *   Nov 23 14:09:01 <10.5> host sshd[123]: MSG               FreeBSD syslogd -v (-vv: <authpriv.notice>)
 *   Nov 23 14:09:01 host sshd[123]: [ID 800047 auth.info] MSG   Solaris syslog message ids
 *   @400000006741e0a52a7b2c34 auth.info: Nov 23 14:09:01 sshd[123]: MSG   socklog through svlogd -t
 *   @400000006741e0a52a7b2c34 MSG                            multilog (TAI64N), a daemon's own stderr
 *   MSG                                                      journald's MESSAGE field (the journal source)
 * and, rarely, a full RFC 5424 frame `<38>1 2026-11-23T14:09:01.123Z host sshd 123 - - MSG`.
 *
 * Every prefix starts with `^`: the attacker controls text *inside* MSG (user names, URLs), never
 * the start of the line, so anchoring is what keeps a forged `from 198.51.100.9` out of reach.
 * No quantifier here is nested in another and every optional part is one space-delimited token,
 * so a failing line costs a bounded number of linear scans (test/unit/presets/redos.test.ts).
 */

/**
 * `Nov 23 14:09:01`: optional weekday, day padded or not, optional year before the time or after it (logread),
 * optional fraction (busybox)
 */
export const TS_3164 = String.raw`(?:[A-Z][a-z]{2} )?[A-Z][a-z]{2} {1,2}\d{1,2}(?: \d{4})? \d\d:\d\d:\d\d(?:\.\d{1,6})?(?: \d{4}(?= ))?`

/** `2026-11-23T14:09:01` (or ` `, or svlogd's `_`), optional fraction, optional `Z` / `+00:00` / `+0000` */
export const TS_ISO = String.raw`\d{4}-\d\d-\d\d[T _]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?`

/** either timestamp */
export const TS_SYSLOG = `(?:${TS_3164}|${TS_ISO})`

/** multilog / svlogd -t label: `@` and 24 hex digits */
export const TS_TAI64N = String.raw`@[0-9a-f]{24}`

const FACILITY_LEVEL = String.raw`[a-z]+\d?\.[a-z]+`
/** FreeBSD syslogd -v / -vv */
const VERBOSE_PRI = String.raw`<(?:\d{1,3}\.\d|${FACILITY_LEVEL})>`
const HOST = String.raw`[^\s\[\]<>]+`

/** What may stand before the host: a supervisor's stamp, socklog's `facility.level:`, the date, `<pri>`. */
const LEAD = `(?:<\\d{1,3}>)?(?:(?:${TS_TAI64N}|${TS_ISO}) )?(?:${FACILITY_LEVEL}: )?(?:${TS_SYSLOG} )?(?:${VERBOSE_PRI} )?`

/** `prog`, `prog(module)`, then `[pid]:`, `[pid]` or `:` */
function progPart (prog: string, capture: boolean): string {
  const tail = `(?:${FACILITY_LEVEL} )?(?:${prog})(?:\\([^\\s()]+\\))?`
  return capture ? `(?:(?<host>${HOST}) )?${tail}\\[(?<id>\\d+)\\]` : `(?:${HOST} )?${tail}(?:\\[\\d+\\]:?|:)`
}

/**
 * The optional syslog prefix before a program's message. `prog` is regex source for the program
 * name (e.g. `sshd(?:-session|-auth)?`); it must not contain `[`, `:` or spaces. The host, the
 * pid and the date are optional (dovecot and postfix' master log without a pid; busybox -S and
 * journal lines without a host or a date).
 */
export function syslogPrefix (prog: string): string {
  const bsd = `${LEAD}${progPart(prog, false)} (?:\\[ID \\d+ [^\\s\\]]+\\] )?`
  const rfc5424 = `<\\d{1,3}>1 ${TS_ISO} \\S+ (?:${prog}) (?:\\d+|-) \\S+ - `
  const stamped = `(?:${TS_TAI64N}|${TS_ISO}) `
  return `^(?:${bsd}|${rfc5424}|${stamped})?`
}

/**
 * A `link.id` regex for the same prefix: the pid of `prog[pid]` and the host before it, found only
 * where this prefix puts them (never in the message). The pid is the key (a small integer, cheap
 * on a busy log) and the host is checked against the one bound (fail2ban's multi-line id is the
 * host and `prog[pid]` too): in a log gathered from several hosts, one host's line never counts
 * for another's connection.
 */
export function syslogConnectionId (prog: string): string {
  return `^${LEAD}${progPart(prog, true)}`
}

import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * Cyrus IMAP/POP3 login failures (fail2ban filter.d/cyrus-imap.conf; modes normal and
 * aggressive). imapd.c/pop3d.c write `badlogin: CLIENTHOST MECH USER REASON` where CLIENTHOST is
 * `name [ADDR]` or `[ADDR]` (the name passed the resolver's hostname check: no space or bracket),
 * then the mechanism name: the address comes first; the user name after it may hold anything,
 * so the reason is read at the end of the line.
 */
const P = syslogPrefix(String.raw`(?:cyrus/)?(?:imap|pop3|sieve|nntp|http)[ds]?`) + String.raw`badlogin: (?:[\w.-]+ )?\[<ip>\] [\w+-]+ `

// normal: wrong password or unknown user, SASL code -13 (SASL_BADAUTH) or -20 (SASL_NOUSER)
const NORMAL = String.raw`${P}.*\[?SASL\((?:-13|-20)\): (?:authentication failure|user not found)(?:: [^\[\]]*)?\]?\s*$`
// aggressive: any SASL failure of a login, e.g. SASL(-1): generic failure, SASL(-14): authorization failure
const AGGRESSIVE = String.raw`${P}.*\[?SASL\(-\d+\): [^\[\]]*\]?\s*$`

export const cyrusImap: Preset = {
  name: 'cyrus-imap',
  description: 'Cyrus IMAP/POP3 login failures; aggressive counts every SASL failure',
  modes: ['normal', 'aggressive'],
  defaultMode: 'normal',
  fail2ban: ['cyrus-imap'],
  forms: 'imapd/pop3d "badlogin: host [ADDR] MECH user SASL(-13): …"; syslog, journal',
  source: { file: '/var/log/mail.log', journal: ['_SYSTEMD_UNIT=cyrus-imapd.service', '_SYSTEMD_UNIT=cyrus-imap.service'] },
  filters (mode: string): PresetFilter[] {
    return [{ name: 'cyrus-imap', regex: mode === 'aggressive' ? [NORMAL, AGGRESSIVE] : [NORMAL], retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

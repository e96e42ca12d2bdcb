import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * Courier IMAP/POP3 login failures (fail2ban filter.d/courier-auth.conf). Courier writes
 * `LOGIN FAILED, [method=M, ]user=USER, ip=[ADDR]` (imap/imapd.c, imap/pop3dserver.c): the user
 * name comes first and may hold `, ip=[…]`, so the regex takes the LAST `ip=[…]`, after which only
 * Courier's own `name=value` fields (no other `ip=`) may follow.
 */
const P = syslogPrefix(String.raw`(?:courier)?(?:imapd?|pop3d?)(?:login)?(?:-ssl)?`)

const REGEX: string[] = [
  // imapd: LOGIN FAILED, user=bob, ip=[::ffff:203.0.113.7]
  // pop3d-ssl: LOGIN FAILED, method=PLAIN, user=bob, ip=[::ffff:203.0.113.7]
  String.raw`${P}(?:(?:INFO|ERR): )?LOGIN FAILED, (?:.*, )?ip=\[<ip>\](?:, (?!ip=)[a-z]+=[^,\s]*)*\s*$`
]

export const courierAuth: Preset = {
  name: 'courier-auth',
  description: 'Courier IMAP/POP3 login failures',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['courier-auth'],
  forms: 'imapd/pop3d(-ssl) "LOGIN FAILED, user=…, ip=[…]"; syslog, journal',
  source: {
    file: '/var/log/mail.log',
    journal: ['_SYSTEMD_UNIT=courier-imap.service', '_SYSTEMD_UNIT=courier-imap-ssl.service', '_SYSTEMD_UNIT=courier-pop.service', '_SYSTEMD_UNIT=courier-pop-ssl.service']
  },
  filters (): PresetFilter[] {
    return [{ name: 'courier-auth', regex: REGEX, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * Courier ESMTP relay attempts and authentication failures (fail2ban filter.d/courier-smtp.conf).
 * courieresmtpd starts each error with `error,relay=ADDR,` (courier/module.esmtp/courieresmtpd.c):
 * the address comes first; sender, recipient and the AUTH command follow it.
 */
const P = syslogPrefix('courieresmtpd') + String.raw`error,relay=<ip>,(?:port=\d+,)?`

const REGEX: string[] = [
  // error,relay=::ffff:203.0.113.7,from=<a@b>,to=<x@example.net>: 550 User unknown.
  String.raw`${P}[^:]*: 550 User (?:<.*> )?unknown\.?\s*$`,
  // error,relay=::ffff:203.0.113.7,msg="535 Authentication failed.",cmd: AUTH PLAIN AGJvYgBzZWNyZXQ=
  String.raw`${P}msg="535 Authentication failed\.",cmd:(?: AUTH \S+)?(?: [0-9a-zA-Z+/=]+)?(?: \S+)?\s*$`
]

export const courierSmtp: Preset = {
  name: 'courier-smtp',
  description: 'Courier ESMTP unknown-user relay attempts and AUTH failures',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['courier-smtp'],
  forms: 'courieresmtpd "error,relay=…": 550 User unknown, 535 Authentication failed; syslog, journal',
  source: { file: '/var/log/mail.log', journal: ['_SYSTEMD_UNIT=courier-mta.service', '_SYSTEMD_UNIT=courier.service'] },
  filters (): PresetFilter[] {
    return [{ name: 'courier-smtp', regex: REGEX, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

import type { Preset, PresetFilter } from './types.ts'
import { SENDMAIL_P, SENDMAIL_RELAY } from './sendmail-reject.ts'

/**
 * Sendmail SMTP AUTH failures (fail2ban filter.d/sendmail-auth.conf). srvrsmtp.c writes the
 * client as `relay=NAME [ADDR]` at the end of the AUTH failure and `NAME [ADDR]: possible SMTP
 * attack` at the start; the SASL detail (which may name the user) comes before `relay=`, so the
 * regex takes the last `relay=` with nothing after it.
 */
const REGEX: string[] = [
  // 0ANE91Q1001234: host.example [203.0.113.7]: possible SMTP attack: command=AUTH, count=3
  String.raw`${SENDMAIL_P}${SENDMAIL_RELAY}: possible SMTP attack: command=AUTH, count=\d+\s*$`,
  // AUTH failure (LOGIN): authentication failure (-13) SASL(-13): authentication failure: checkpass failed, relay=host.example [203.0.113.7]
  String.raw`${SENDMAIL_P}AUTH failure \([^()\s]+\): (?:authentication failure|user not found|bad protocol / cancel) \(-\d+\) .*, relay=${SENDMAIL_RELAY}\s*$`
]

export const sendmailAuth: Preset = {
  name: 'sendmail-auth',
  description: 'Sendmail SMTP AUTH failures and repeated AUTH attempts',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['sendmail-auth'],
  forms: 'sm-mta "AUTH failure (MECH): … relay=", "possible SMTP attack: command=AUTH"; syslog, journal',
  source: { file: '/var/log/mail.log', journal: ['_SYSTEMD_UNIT=sendmail.service'] },
  filters (): PresetFilter[] {
    return [{ name: 'sendmail-auth', regex: REGEX, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

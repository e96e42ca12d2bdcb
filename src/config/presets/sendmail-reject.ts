import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * Sendmail relay, spam and probe rejections (fail2ban filter.d/sendmail-reject.conf; modes
 * normal, extra, aggressive). Sendmail names the client `NAME [ADDR]` (`[IPv6:ADDR]` for IPv6,
 * ` (may be forged)` when the name does not resolve back). In `ruleset=check_rcpt, arg1=<ADDR>,
 * relay=…` the recipient comes first, but it holds no space, so `, relay=` cannot be forged.
 *
 * Not matched: `<user@domain>... User unknown` from the local mailer, which names no client;
 * fail2ban joins it to a later `from=…, relay=` line of the same queue id, which needs the
 * lines that follow it.
 */
export const SENDMAIL_P = syslogPrefix('sendmail|sm-mta|sm-acceptingconnections|sm-msp-queue') + String.raw`(?:[0-9A-Za-z]{14,20}: )?`
export const SENDMAIL_RELAY = String.raw`(?:\S+ )?\[(?:IPv6:)?<ip>\](?: \(may be forged\))?`
const RCPT = String.raw`${SENDMAIL_P}ruleset=check_rcpt, arg1=<[^\s<>]*>, relay=${SENDMAIL_RELAY}, reject=`

const NORMAL: string[] = [
  // ruleset=check_rcpt, arg1=<x@example.net>, relay=[203.0.113.7], reject=550 5.7.1 <x@example.net>... Relaying denied. Proper authentication required.
  String.raw`${RCPT}(?:550 5\.7\.1(?: <[^\s<>]*>\.\.\.)?(?: Relaying denied\.)? (?:IP name possibly forged \[[\d.]+\]|Proper authentication required\.|IP name lookup failed \[[\d.]+\]|Fix reverse DNS for \S+)|[45]5[13] [45]\.1\.8(?: <[^\s<>]*>\.\.\.)? Domain of sender address \S+ does not (?:exist|resolve)|550 5\.[71]\.1 <[^\s<>]*>\.\.\. (?:Rejected: .*|User unknown))\s*$`,
  // ruleset=check_relay, arg1=[203.0.113.7], arg2=203.0.113.7, relay=[203.0.113.7], reject=421 4.3.2 Connection rate limit exceeded.
  String.raw`${SENDMAIL_P}ruleset=check_relay(?:, arg\d+=\S*)*, relay=${SENDMAIL_RELAY}, reject=421 4\.3\.2 (?:Connection rate limit exceeded\.|Too many open connections\.)\s*$`,
  // rejecting commands from host.example [203.0.113.7] due to pre-greeting traffic after 0 seconds
  String.raw`${SENDMAIL_P}rejecting commands from (?:\S* )?\[(?:IPv6:)?<ip>\] due to pre-greeting traffic after \d+ seconds\s*$`,
  // host.example [203.0.113.7]: VRFY root [rejected]
  String.raw`${SENDMAIL_P}${SENDMAIL_RELAY}: (?:[Ee][Xx][Pp][Nn]|[Vv][Rr][Ff][Yy]) \S+ \[rejected\]\s*$`
]

const EXTRA: string[] = [
  // host.example [203.0.113.7] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA
  String.raw`${SENDMAIL_P}${SENDMAIL_RELAY} did not issue \S+ during connection to \S+\s*$`
]

const AGGRESSIVE: string[] = [
  ...EXTRA,
  // lost input channel from host.example [203.0.113.7] to MTA after rcpt
  String.raw`${SENDMAIL_P}lost input channel from ${SENDMAIL_RELAY} to \S+ after rcpt\s*$`,
  // ruleset=check_rcpt, arg1=<x@example.net>, relay=[203.0.113.7], reject=450 4.4.0 <x@example.net>... Relaying temporarily denied. Cannot resolve PTR record for 203.0.113.7
  String.raw`${RCPT}450 4\.4\.0(?: <[^\s<>]*>\.\.\.)?(?: Relaying temporarily denied\.)? Cannot resolve PTR record for [\d.]+\s*$`
]

export const sendmailReject: Preset = {
  name: 'sendmail-reject',
  description: 'Sendmail relay, rate-limit, pre-greeting and VRFY/EXPN rejections; extra adds clients that issue no mail command, aggressive adds lost connections and unresolvable PTRs',
  modes: ['normal', 'extra', 'aggressive'],
  defaultMode: 'normal',
  fail2ban: ['sendmail-reject'],
  forms: 'sm-mta "ruleset=check_rcpt|check_relay … relay=… reject=", pre-greeting traffic, VRFY/EXPN; syslog, journal',
  source: { file: '/var/log/mail.log', journal: ['_SYSTEMD_UNIT=sendmail.service'] },
  filters (mode: string): PresetFilter[] {
    const regex = mode === 'aggressive' ? [...NORMAL, ...AGGRESSIVE] : mode === 'extra' ? [...NORMAL, ...EXTRA] : NORMAL
    return [{ name: 'sendmail-reject', regex, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

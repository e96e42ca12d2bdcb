import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'
import { EXIM_HOST, EXIM_START } from './mail-common.ts'

/**
 * Exim SMTP rejections and authentication failures (fail2ban filter.d/exim.conf; modes normal,
 * more and aggressive: normal and more are the same set here, rejections included, so a
 * configuration written for either fail2ban mode finds its lines). The client's address comes right after
 * Exim's fixed text or at the start of
 * the line (`H=…`); sender, recipient, HELO and the command text quoted in protocol errors follow
 * it or cannot hold a space (see EXIM_HOST). Regexes that quote client text before the address
 * (`SMTP protocol error in "…"`) end anchored on Exim's own tail.
 */
export const EXIM_P = String.raw`${syslogPrefix('exim4?')}${EXIM_START}`
const H = EXIM_HOST
// `<local@domain>:` in its brackets: neither part can run past `<`, `>` or a space
const RCPT = String.raw`<[^<>@\s]*@[^<>\s]*>:`

const NORMAL: string[] = [
  // H=(helo) [203.0.113.7]:52144 I=[192.0.2.1]:25 sender verify fail for <a@nx.example>: Unrouteable address
  String.raw`${EXIM_P}${H} sender verify fail for <[^>\s]*>: (?:Unknown user|Unrouteable address|all relevant MX records point to non-existent hosts)\s*$`,
  // dovecot_login authenticator failed for (helo) [203.0.113.7]:52144 I=[192.0.2.1]:587: 535 Incorrect authentication data (set_id=bob)
  String.raw`${EXIM_P}[\w-]+ authenticator failed for ${H}: 535 Incorrect authentication data(?: \(set_id=.*\)|: \d+ Time\(s\))?\s*$`,
  // H=(helo) [203.0.113.7]:52144 I=[192.0.2.1]:25 F=<a@b> rejected RCPT <x@example.net>: relay not permitted
  String.raw`${EXIM_P}${H}(?: F=(?:<>|<[^>\s]*>|\S+))? rejected RCPT ${RCPT} (?:relay not permitted|Sender verify failed|Unknown user|Unrouteable address)\s*$`,
  // SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H=[203.0.113.7]:52144 I=[192.0.2.1]:25 input="GET / HTTP/1.1"
  String.raw`${EXIM_P}SMTP protocol synchronization error \([^)]*\): rejected (?:connection from|"\S*") ${H} (?:next )?input=".*"\s*$`,
  // SMTP call from (helo) [203.0.113.7]:52144 I=[192.0.2.1]:25 dropped: too many nonmail commands (last was "RSET")
  String.raw`${EXIM_P}SMTP call from ${H} dropped: too many (?:(?:nonmail|unrecognized) commands|syntax or protocol errors)`,
  // SMTP protocol error in "AUTH LOGIN" H=(helo) [203.0.113.7]:52144 I=[192.0.2.1]:25 AUTH command used when not advertised
  // SMTP protocol error in "AUTH CRAM-MD5" H=(helo) [203.0.113.7]:52144 CRAM-MD5 authentication mechanism not supported
  // The quoted command is the client's and may hold `"`: the greedy `".*"` settles on the last
  // `" H=…` before Exim's fixed end of line, which is Exim's own.
  String.raw`${EXIM_P}SMTP protocol error in ".*" ${H} (?:AUTH command used when not advertised|[A-Za-z0-9_-]+ authentication mechanism not supported)\s*$`,
  // no MAIL in SMTP connection from (helo) [203.0.113.7]:52144 I=[192.0.2.1]:25 D=12s C=EHLO,AUTH,QUIT
  String.raw`${EXIM_P}no MAIL in SMTP connection from ${H} D=\d\S*s(?: C=\S*)?\s*$`,
  // SMTP connection from (helo) [203.0.113.7]:52144 I=[192.0.2.1]:25 closed by DROP in ACL
  String.raw`${EXIM_P}(?:[\w-]+ )?SMTP connection from ${H} closed by DROP in ACL\s*$`
]

const AGGRESSIVE: string[] = [
  // host_find_byname(): no host name found for IP address 203.0.113.7
  String.raw`${EXIM_P}no host name found for IP address <ip>\s*$`,
  // no IP address found for host mail.example (during SMTP connection from [203.0.113.7])
  String.raw`${EXIM_P}no IP address found for host \S+ \(during SMTP connection from \[<ip>\]\)\s*$`
]

export const exim: Preset = {
  name: 'exim',
  description: 'Exim SMTP rejections, authenticator failures and protocol abuse; aggressive adds clients whose reverse DNS does not match',
  modes: ['normal', 'more', 'aggressive'],
  defaultMode: 'normal',
  fail2ban: ['exim'],
  forms: 'Exim main log and syslog: rejected RCPT, authenticator failed, synchronization and protocol errors, DROP in ACL',
  source: { file: '/var/log/exim4/mainlog', journal: ['_SYSTEMD_UNIT=exim4.service', '_SYSTEMD_UNIT=exim.service'] },
  filters (mode: string): PresetFilter[] {
    return [{ name: 'exim', regex: mode === 'aggressive' ? [...NORMAL, ...AGGRESSIVE] : NORMAL, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

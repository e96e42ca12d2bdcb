import type { Preset, PresetFilter } from './types.ts'
import { EXIM_HOST, EXIM_MSGID } from './mail-common.ts'
import { EXIM_P } from './exim.ts'

/**
 * Exim spam and virus rejections (fail2ban filter.d/exim-spam.conf). The sender `F=<…>` may come
 * before `H=`; it cannot hold a space, so the address is the first `[ADDR]` after ` H=`.
 */
const H = EXIM_HOST
// `<local@domain>:` in its brackets: neither part can run past `<`, `>` or a space
const RCPT = String.raw`<[^<>@\s]*@[^<>\s]*>:`
const SENDER = String.raw`F=(?:<>|<[^>\s]*>|[^@\s]+@\S+)`

const REGEX: string[] = [
  // 1rAbcD-000Abc-Xy F=<a@b> H=(helo) [203.0.113.7]:52144 I=[192.0.2.1]:25 P=esmtp rejected by local_scan(): spam score 12.3
  String.raw`${EXIM_P}${EXIM_MSGID} ${SENDER} ${H} rejected by local_scan\(\): .{0,256}$`,
  // H=(helo) [203.0.113.7]:52144 I=[192.0.2.1]:25 F=<a@b> rejected RCPT <x@example.net>: JunkMail rejected - 203.0.113.7 listed in zen.spamhaus.org dnsbl
  String.raw`${EXIM_P}${H} ${SENDER} rejected RCPT ${RCPT} .*dnsbl`,
  // 1rAbcD-000Abc-Xy H=(helo) [203.0.113.7]:52144 I=[192.0.2.1]:25 F=<a@b> rejected after DATA: This message contains a virus (Eicar-Test-Signature).
  String.raw`${EXIM_P}${EXIM_MSGID} ${H} ${SENDER} rejected after DATA: This message contains a virus \(\S+\)\.\s*$`
]

export const eximSpam: Preset = {
  name: 'exim-spam',
  description: 'Exim rejections of spam (local_scan, DNSBL) and viruses',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['exim-spam'],
  forms: 'Exim main log and syslog: rejected by local_scan(), dnsbl RCPT rejections, viruses after DATA',
  source: { file: '/var/log/exim4/mainlog', journal: ['_SYSTEMD_UNIT=exim4.service', '_SYSTEMD_UNIT=exim.service'] },
  filters (): PresetFilter[] {
    return [{ name: 'exim-spam', regex: REGEX, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

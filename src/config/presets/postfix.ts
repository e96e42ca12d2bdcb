import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * Postfix SMTP rejections (fail2ban filter.d/postfix.conf and its modes). The client appears as
 * `HOSTNAME[ADDRESS]` right after fixed text (`RCPT from`); Postfix only prints a hostname that
 * passed valid_hostname() (else `unknown`), so no client text comes before the address.
 *
 * Modes: normal (rejections), rbl (DNSBL rejections only), more (default: normal + rbl), auth
 * (SASL failures), ddos (postscreen and lost-connection probes), extra (auth + normal),
 * aggressive (all), errors ("too many errors", meant for retry 1).
 */
const P = syslogPrefix(String.raw`postfix(?:-\w+)?/[\w.-]+(?:/smtp[ds])?`)
const CLIENT = String.raw`[^\s\[\]]*\[<ip>\](?::\d+)?`
const QUEUE = String.raw`(?:NOQUEUE|[0-9A-Za-z]+): (?:milter-)?reject: [A-Z]{4} from ${CLIENT}: `

const NORMAL: string[] = [
  // NOQUEUE: reject: RCPT from unknown[203.0.113.7]: 554 5.7.1 <x@example.net>: Relay access denied; from=<a@b> to=<x@example.net> proto=ESMTP helo=<x>
  // NOQUEUE: reject: RCPT from unknown[203.0.113.7]: 450 4.7.1 Client host rejected: cannot find your hostname, [203.0.113.7]; …
  // NOQUEUE: reject: EHLO from unknown[203.0.113.7]: 504 5.5.2 <x>: Helo command rejected: need fully-qualified hostname; …
  // NOQUEUE: reject: VRFY from unknown[203.0.113.7]: 550 5.1.1 <root>: Recipient address rejected: User unknown in local recipient table; …
  String.raw`${P}${QUEUE}[45][50][04] [45]\.\d\.\d+ (?:<[^>]*>: )?(?:(?:Helo command|(?:Sender|Recipient) address) rejected: )?(?:Service unavailable|Access denied|(?:Client host|Command|Data command) rejected|Relay access denied|Malformed DNS server reply|(?:Host|Domain) not found|need fully-qualified hostname|match|[Uu]ser unknown|[Uu]ndeliverable address)\b`,
  // improper command pipelining after EHLO from unknown[203.0.113.7]: …
  // too many errors after RCPT from unknown[203.0.113.7]
  String.raw`${P}(?:improper command pipelining|too many errors) after \S+ from ${CLIENT}(?::|\s*$)`
]

const RBL: string[] = [
  // NOQUEUE: reject: RCPT from unknown[203.0.113.7]: 554 5.7.1 Service unavailable; Client host [203.0.113.7] blocked using zen.spamhaus.org; …
  String.raw`${P}${QUEUE}[45]54 [45]\.7\.1 Service unavailable; Client host \[[^\]\s]+\] blocked\b`
]

const AUTH: string[] = [
  // warning: unknown[203.0.113.7]: SASL LOGIN authentication failed: UGFzc3dvcmQ6
  // warning: unknown[203.0.113.7]: SASL PLAIN authentication failed: authentication failure, sasl_username=bob
  String.raw`${P}warning: ${CLIENT}: SASL (?:[Ll][Oo][Gg][Ii][Nn]|[Pp][Ll][Aa][Ii][Nn]|(?:CRAM|DIGEST)-MD5) authentication failed:(?! Connection lost to authentication server| Invalid authentication mechanism)`
]

// aggressive also counts clients trying a mechanism the server does not offer
const AUTH_AGGRESSIVE: string[] = [
  String.raw`${P}warning: ${CLIENT}: SASL (?:[Ll][Oo][Gg][Ii][Nn]|[Pp][Ll][Aa][Ii][Nn]|(?:CRAM|DIGEST)-MD5) authentication failed:(?! Connection lost to authentication server)`
]

const DDOS: string[] = [
  // lost connection after EHLO from unknown[203.0.113.7]   (not after DATA or AUTH: those are ordinary)
  String.raw`${P}lost connection after (?!(?:DATA|AUTH)\b)[A-Z]+ from ${CLIENT}\s*$`,
  // disconnect from unknown[203.0.113.7] ehlo=1 auth=0/1 quit=1 commands=2/3
  String.raw`${P}disconnect from ${CLIENT}(?: [a-z]+=\d+(?:/\d+)?)* auth=0/[1-9]\d*\b`,
  // postscreen: PREGREET 11 after 0.1 from [203.0.113.7]:52144: EHLO x
  // postscreen: HANGUP after 0.4 from [203.0.113.7]:52144 in tests after SMTP handshake
  String.raw`${P}(?:PREGREET \d+|HANGUP) after \S+ from ${CLIENT}`,
  // postscreen: COMMAND TIME LIMIT from [203.0.113.7]:52144 after RCPT
  String.raw`${P}COMMAND (?:TIME|COUNT|LENGTH) LIMIT from ${CLIENT}`
]

const ERRORS: string[] = [
  // too many errors after AUTH from unknown[203.0.113.7]
  String.raw`${P}too many errors after \S+ from ${CLIENT}\s*$`
]

const MODES = ['more', 'normal', 'rbl', 'auth', 'ddos', 'extra', 'aggressive', 'errors'] as const

function regexFor (mode: string): { regex: string[], retry: number } {
  switch (mode) {
    case 'normal': return { regex: NORMAL, retry: 5 }
    case 'rbl': return { regex: RBL, retry: 1 }
    case 'auth': return { regex: AUTH, retry: 5 }
    case 'ddos': return { regex: DDOS, retry: 5 }
    case 'extra': return { regex: [...AUTH, ...NORMAL], retry: 5 }
    case 'aggressive': return { regex: [...AUTH_AGGRESSIVE, ...NORMAL, ...DDOS], retry: 5 }
    case 'errors': return { regex: ERRORS, retry: 1 }
    // 'more': rbl is already covered by normal's "Service unavailable"; listed for clarity
    default: return { regex: [...NORMAL, ...RBL], retry: 5 }
  }
}

export const postfix: Preset = {
  name: 'postfix',
  description: 'Postfix SMTP rejections; modes more (default), normal, rbl, auth, ddos, extra, aggressive, errors',
  modes: MODES,
  defaultMode: 'more',
  source: {
    file: '/var/log/mail.log',
    journal: ['_SYSTEMD_UNIT=postfix.service', '_SYSTEMD_UNIT=postfix@-.service']
  },
  filters (mode: string): PresetFilter[] {
    const { regex, retry } = regexFor(mode)
    return [{ name: 'postfix', regex, retry, retryperiod: '10m', ban: '1h' }]
  }
}

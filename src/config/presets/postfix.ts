import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * Postfix SMTP rejections (fail2ban filter.d/postfix.conf and its modes). The client appears as
 * `HOSTNAME[ADDRESS]` right after fixed text (`RCPT from`); Postfix only prints a hostname that
 * passed valid_hostname() (else `unknown`), so no client text comes before the address.
 *
 * Modes: normal (rejections), rbl (DNSBL rejections only), more (default: normal + rbl), auth
 * (SASL failures), ddos (postscreen and lost-connection probes, and beyond fail2ban: anvil rate
 * and concurrency limits, `non-SMTP command from`), extra (auth + normal), aggressive (all, plus
 * `hostname … does not resolve`), errors ("too many errors", meant for retry 1).
 * Everything the client wrote (HELO, sender, recipient, SASL user, command text) comes after the
 * address; each regex anchors on the text before it.
 */
const P = syslogPrefix(String.raw`postfix(?:-\w+)?/[\w.-]+(?:/smtp[ds])?`)
const CLIENT = String.raw`[^\s\[\]]*\[<ip>\](?::\d+)?`
// smtpd_check.c log_whatsup(): `QUEUEID: reject: STAGE from CLIENT: REPLY; from=<…> to=<…> proto=… helo=<…>`;
// postscreen rejects the same way with `[ADDR]:PORT` and stage CONNECT or RCPT
const QUEUE = String.raw`(?:NOQUEUE|[0-9A-Za-z]+): (?:milter-)?reject: (?:[A-Z]{4}|CONNECT|END-OF-MESSAGE) from ${CLIENT}: `

const NORMAL: string[] = [
  // NOQUEUE: reject: RCPT from unknown[203.0.113.7]: 554 5.7.1 <x@example.net>: Relay access denied; from=<a@b> to=<x@example.net> proto=ESMTP helo=<x>
  // NOQUEUE: reject: RCPT from unknown[203.0.113.7]: 450 4.7.1 Client host rejected: cannot find your hostname, [203.0.113.7]; …
  // NOQUEUE: reject: EHLO from unknown[203.0.113.7]: 504 5.5.2 <x>: Helo command rejected: need fully-qualified hostname; …
  // NOQUEUE: reject: VRFY from unknown[203.0.113.7]: 550 5.1.1 <root>: Recipient address rejected: User unknown in local recipient table; …
  // NOQUEUE: reject: CONNECT from unknown[203.0.113.7]: 554 5.7.1 <unknown[203.0.113.7]>: Client host rejected: Access denied; proto=SMTP
  String.raw`${P}${QUEUE}[45][50][04] [45]\.\d\.\d+ (?:(?:<[^>]*>)?: )?(?:(?:Helo command|(?:Sender|Recipient) address) rejected: )?(?:Service unavailable|Access denied|(?:Client host|Command|Data command) rejected|Relay access denied|Malformed DNS server reply|(?:Host|Domain) not found|need fully-qualified hostname|match|[Uu]ser unknown|[Uu]ndeliverable address)\b`,
  // improper command pipelining after EHLO from unknown[203.0.113.7]: QUIT   (the text after `: ` is the client's)
  // too many errors after RCPT from unknown[203.0.113.7]
  String.raw`${P}(?:improper command pipelining|too many errors) after \S+ from ${CLIENT}(?::|\s|$)`
]

const RBL: string[] = [
  // NOQUEUE: reject: RCPT from unknown[203.0.113.7]: 554 5.7.1 Service unavailable; Client host [203.0.113.7] blocked using zen.spamhaus.org; …
  // postscreen: NOQUEUE: reject: RCPT from [203.0.113.7]:52144: 550 5.7.1 Service unavailable; client [203.0.113.7] blocked using zen.spamhaus.org; …
  String.raw`${P}${QUEUE}[45]5[04] [45]\.7\.1 Service unavailable; [Cc]lient(?: host)? \[[^\]\s]+\] blocked\b`
]

// smtpd_sasl_glue.c: `warning: CLIENT: SASL MECH authentication failed: REASON[, sasl_username=USER]`
const SASL = String.raw`${P}warning: ${CLIENT}: SASL [A-Za-z0-9_-]+ authentication failed:`
const AUTH: string[] = [
  // warning: unknown[203.0.113.7]: SASL LOGIN authentication failed: UGFzc3dvcmQ6
  // warning: unknown[203.0.113.7]: SASL PLAIN authentication failed: authentication failure, sasl_username=bob
  String.raw`${SASL}(?! Connection lost to authentication server| Invalid authentication mechanism)`
]

// aggressive also counts clients trying a mechanism the server does not offer
const AUTH_AGGRESSIVE: string[] = [
  String.raw`${SASL}(?! Connection lost to authentication server)`
]

const DDOS: string[] = [
  // lost connection after CONNECT from unknown[203.0.113.7]   (not after DATA or AUTH: those are ordinary)
  String.raw`${P}lost connection after (?!(?:DATA|AUTH)\b)[A-Z]+ from ${CLIENT}(?::|\s|$)`,
  // disconnect from unknown[203.0.113.7] ehlo=1 auth=0/1 quit=1 commands=2/3
  String.raw`${P}disconnect from ${CLIENT}(?: [a-z]+=\d+(?:/\d+)?)* auth=0/[1-9]\d*\b`,
  // postscreen: PREGREET 11 after 0.1 from [203.0.113.7]:52144: EHLO x
  // postscreen: HANGUP after 0.4 from [203.0.113.7]:52144 in tests after SMTP handshake
  String.raw`${P}(?:PREGREET \d+|HANGUP) after \S+ from ${CLIENT}`,
  // postscreen: COMMAND TIME LIMIT from [203.0.113.7]:52144 after RCPT
  // postscreen: NON-SMTP COMMAND from [203.0.113.7]:52144 after CONNECT: GET / HTTP/1.1
  String.raw`${P}(?:COMMAND (?:TIME|COUNT|LENGTH) LIMIT|NON-SMTP COMMAND) from ${CLIENT}`,
  // beyond fail2ban: smtpd's own `warning: non-SMTP command from unknown[203.0.113.7]: GET / HTTP/1.1`
  String.raw`${P}warning: non-SMTP command from ${CLIENT}: `,
  // beyond fail2ban, anvil limits: warning: Connection rate limit exceeded: 31 from unknown[203.0.113.7] for service smtp
  String.raw`${P}warning: (?:Connection (?:rate|concurrency)|Message delivery request rate|Recipient address rate|New TLS session rate) limit exceeded: \d+ from ${CLIENT} for service \S+\s*$`,
  // postscreen_client_connection_count_limit: NOQUEUE: reject: CONNECT from [203.0.113.7]:52144: too many connections
  String.raw`${P}NOQUEUE: reject: CONNECT from ${CLIENT}: too many connections\s*$`
]

const AGGRESSIVE_ONLY: string[] = [
  // smtpd_peer.c: warning: hostname mail.example does not resolve to address 203.0.113.7[: Name or service not known]
  // (the name passed valid_hostname() before this lookup, so it holds no space)
  String.raw`${P}warning: hostname \S+ does not resolve to address <ip>(?::|\s|$)`
]

const ERRORS: string[] = [
  // too many errors after AUTH from unknown[203.0.113.7]
  String.raw`${P}too many errors after \S+ from ${CLIENT}\s*$`
]

const MODES = ['more', 'normal', 'rbl', 'auth', 'ddos', 'extra', 'aggressive', 'errors'] as const

function filter (name: string, regex: string[], retry = 5): PresetFilter {
  return { name, regex, retry, retryperiod: '10m', ban: '1h' }
}

function filtersFor (mode: string): PresetFilter[] {
  switch (mode) {
    case 'normal': return [filter('postfix', NORMAL)]
    case 'rbl': return [filter('postfix', RBL, 1)]
    case 'auth': return [filter('postfix', AUTH)]
    case 'ddos': return [filter('postfix', DDOS)]
    case 'extra': return [filter('postfix', [...AUTH, ...NORMAL])]
    // `disconnect … auth=0/1` sums up the SASL failures already counted: it counts in a filter of
    // its own with the other per-connection lines, so a failed AUTH is one count per filter
    case 'aggressive': return [filter('postfix', [...AUTH_AGGRESSIVE, ...NORMAL, ...AGGRESSIVE_ONLY]), filter('postfix-ddos', DDOS)]
    case 'errors': return [filter('postfix', ERRORS, 1)]
    // 'more': rbl is already covered by normal's "Service unavailable"; listed for clarity
    default: return [filter('postfix', [...NORMAL, ...RBL])]
  }
}

export const postfix: Preset = {
  name: 'postfix',
  description: 'Postfix SMTP rejections; modes more (default), normal, rbl, auth, ddos, extra, aggressive, errors',
  modes: MODES,
  defaultMode: 'more',
  fail2ban: ['postfix', 'postfix-rbl', 'postfix-sasl'],
  forms: 'smtpd/postscreen "NOQUEUE: reject:", SASL failures, lost connections, postscreen probes, anvil limits, non-SMTP commands; syslog, journal',
  source: {
    file: '/var/log/mail.log',
    journal: ['_SYSTEMD_UNIT=postfix.service', '_SYSTEMD_UNIT=postfix@-.service']
  },
  filters (mode: string): PresetFilter[] {
    return filtersFor(mode)
  }
}

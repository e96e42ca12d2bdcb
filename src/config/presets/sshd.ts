import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * OpenSSH, after fail2ban's filter.d/sshd.conf (modes normal, ddos, extra, aggressive).
 *
 * Every regex that has text the client chose (a user name) *before* the address ends with the
 * fixed tail sshd prints after it, anchored at `$`: the greedy `.*` then settles on the LAST
 * `from ADDRESS port N`, which sshd wrote, never one hidden in a user name such as
 * `x from 198.51.100.9 port 22 ssh2`. Since OpenSSH 9.8 the per-connection process logs as
 * `sshd-session[PID]` (and 10.0 adds `sshd-auth`); the pid identifies one connection, which
 * `link` uses to attribute the lines that do not name the address.
 */
const PROG = 'sshd(?:-session|-auth)?'
// sshd prefixes some messages with `error: `, `fatal: ` or `error: PAM: `
const P = syslogPrefix(PROG) + '(?:(?:error|fatal): (?:PAM: )?)?'
const PORT = String.raw` port \d+`
const PORT_OPT = String.raw`(?: port \d+)?(?: on \S+ port \d+)?`
const PREAUTH = String.raw`(?: \[preauth\])?`

const NORMAL: string[] = [
  // Failed password for invalid user admin from 203.0.113.7 port 52144 ssh2
  // Failed publickey for root from 2001:db8::7 port 52144 ssh2: ED25519 SHA256:Ab3…
  // Failed keyboard-interactive/pam for root from 203.0.113.7 port 52144 ssh2
  String.raw`${P}Failed \S+ for .* from <ip>${PORT}(?: ssh\d?)?(?:: [A-Z][A-Z0-9-]* SHA256:[A-Za-z0-9+/=]+)?${PREAUTH}\s*$`,
  // Invalid user admin from 203.0.113.7 port 52144   (older: Illegal user admin from 203.0.113.7)
  String.raw`${P}(?:Invalid|Illegal|invalid|illegal) user .* from <ip>${PORT_OPT}${PREAUTH}\s*$`,
  // pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7  user=root
  String.raw`${P}pam_\w+\(sshd:auth\): +authentication failure; +logname=\S* +uid=\d* +euid=\d* +tty=\S* +ruser=\S* +rhost=<ip>(?: +user=\S*)?\s*$`,
  // error: PAM: Authentication failure for illegal user admin from 203.0.113.7
  String.raw`${P}[aA]uthentication (?:failure|error|failed) for .* from <ip>(?: via \S+)?${PREAUTH}\s*$`,
  // User not known to the underlying authentication module for admin from 203.0.113.7
  String.raw`${P}User not known to the underlying authentication module for .* from <ip>${PREAUTH}\s*$`,
  // User root from 203.0.113.7 not allowed because not listed in AllowUsers
  String.raw`${P}User .+ from <ip> not allowed because (?:not listed in AllowUsers|listed in DenyUsers|not in any group|a group is listed in DenyGroups|none of user's groups are listed in AllowGroups)${PREAUTH}\s*$`,
  // error: maximum authentication attempts exceeded for root from 203.0.113.7 port 52144 ssh2 [preauth]
  String.raw`${P}maximum authentication attempts exceeded for .* from <ip>${PORT}(?: ssh\d?)?${PREAUTH}\s*$`,
  // Disconnecting authenticating user root 203.0.113.7 port 52144: Too many authentication failures [preauth]
  String.raw`${P}Disconnecting (?:authenticating|invalid) user .* <ip>${PORT}: Too many authentication failures${PREAUTH}\s*$`,
  // no address, attributed through `link`: Disconnecting: Too many authentication failures for root [preauth]
  String.raw`${P}Disconnecting: Too many authentication failures(?: for .*)?${PREAUTH}\s*$`
]

const DDOS: string[] = [
  // Did not receive identification string from 203.0.113.7 port 52144
  String.raw`${P}Did not receive identification string from <ip>${PORT_OPT}\s*$`,
  // Bad protocol version identification 'GET / HTTP/1.1' from 203.0.113.7 port 52144
  String.raw`${P}Bad protocol version identification '.*' from <ip>${PORT_OPT}\s*$`,
  // banner exchange: Connection from 203.0.113.7 port 52144: invalid format
  String.raw`${P}banner exchange: Connection from <ip>${PORT}: (?:invalid format|could not read protocol version|Connection timed out|Connection reset by peer)`,
  // Connection closed by authenticating user root 203.0.113.7 port 52144 [preauth]
  // Connection reset by 203.0.113.7 port 52144 [preauth]
  String.raw`${P}Connection (?:closed|reset) by (?:(?:authenticating|invalid) user .* )?<ip>${PORT} \[preauth\]\s*$`,
  // Timeout before authentication for 203.0.113.7 port 52144
  String.raw`${P}Timeout before authentication for (?:connection from )?<ip>${PORT}\b`,
  // OpenSSH >= 9.8 PerSourcePenalties: drop connection #3 from [203.0.113.7]:52144 on [192.0.2.1]:22 penalty: failed authentication
  String.raw`${P}drop connection #\d+ from \[<ip>\]:\d+ on \[[^\]\s]+\]:\d+ penalty: `,
  // no address, attributed through `link`: kex_exchange_identification: Connection closed by remote host
  String.raw`${P}kex_exchange_identification: (?:read: )?(?:[Cc]lient sent invalid protocol identifier|[Cc]onnection (?:closed by remote host|reset by peer|timed out))`,
  // no address, attributed through `link`: Read from socket failed: Connection reset by peer [preauth]
  String.raw`${P}Read from socket failed: Connection reset by peer${PREAUTH}\s*$`
]

const EXTRA: string[] = [
  // Received disconnect from 203.0.113.7 port 52144:14: No supported authentication methods available [preauth]
  String.raw`${P}Received disconnect from <ip>${PORT_OPT}: ?14: No(?: supported)? authentication methods available${PREAUTH}\s*$`,
  // Unable to negotiate with 203.0.113.7 port 52144: no matching key exchange method found. Their offer: …
  String.raw`${P}Unable to negotiate with <ip>${PORT_OPT}: no matching (?:cipher|key exchange method|host key type|MAC) found\.`,
  // Disconnected from invalid user admin 203.0.113.7 port 52144 [preauth]
  String.raw`${P}Disconnected from (?:invalid|authenticating) user .* <ip>${PORT} \[preauth\]\s*$`
]

/** lines that name the connection's address and bind the pid to it */
const LINK_FROM: string[] = [
  // Connection from 203.0.113.7 port 52144 on 192.0.2.1 port 22 rdomain ""   (LogLevel VERBOSE)
  String.raw`${P}Connection from <ip>${PORT} on \S+${PORT}(?: rdomain "\S*")?\s*$`,
  NORMAL[0],
  NORMAL[1],
  NORMAL[6]
]

const MODES = ['normal', 'ddos', 'extra', 'aggressive'] as const

function regexFor (mode: string): string[] {
  switch (mode) {
    case 'normal': return NORMAL
    case 'ddos': return [...NORMAL, ...DDOS]
    case 'extra': return [...NORMAL, ...EXTRA]
    default: return [...NORMAL, ...DDOS, ...EXTRA]
  }
}

export const sshd: Preset = {
  name: 'sshd',
  description: 'OpenSSH authentication failures (fail2ban sshd): normal, ddos (pre-auth probes), extra (negotiation failures), aggressive (all)',
  modes: MODES,
  defaultMode: 'normal',
  source: {
    file: '/var/log/auth.log',
    journal: ['_SYSTEMD_UNIT=ssh.service', '_SYSTEMD_UNIT=sshd.service', '+', 'SYSLOG_IDENTIFIER=sshd', 'SYSLOG_IDENTIFIER=sshd-session', 'SYSLOG_IDENTIFIER=sshd-auth']
  },
  filters (mode: string): PresetFilter[] {
    return [{
      name: 'sshd',
      regex: regexFor(mode),
      retry: 5,
      retryperiod: '10m',
      ban: '1h',
      link: { id: String.raw`\b${PROG}\[(?<id>\d+)\]: `, from: LINK_FROM, ttl: '10m' }
    }]
  }
}

import type { Preset, PresetFilter } from './types.ts'
import { syslogConnectionId, syslogPrefix } from './prefix.ts'

/**
 * OpenSSH, with the modes of fail2ban's filter.d/sshd.conf: normal, ddos (pre-auth probes),
 * extra (negotiation failures), aggressive (both).
 *
 * One attempt, one count. A failed password through PAM is logged twice, by pam_unix
 * (`authentication failure; … rhost=ADDR user=U`) and by sshd (`Failed password for U from ADDR`):
 * sshd's own line is the count, the pam_unix line only tells the connection's address. Lines
 * that are not failures by themselves (`Connection from`, a public key the server did not take
 * for a real account, `Accepted`, a connection closed after authentication) only bind the
 * connection (`link`); they count when two different user names were tried on one connection,
 * and a line without an address (`Disconnecting: Too many authentication failures`) counts for
 * the address its connection named. `Disconnecting authenticating user … : Too many
 * authentication failures` follows `maximum authentication attempts exceeded` for the same
 * attempt and is not counted.
 *
 * Which address: the one sshd wrote. A user name (and a client's banner, key id or host name)
 * may contain `from 198.51.100.9 port 22 ssh2`. Every regex where such text stands before the
 * address takes the LAST address and pins everything after it to what sshd prints there, up to
 * `$` (the user name is never at the end). A real account's name (no `invalid user`) is one
 * token, so `Failed … for root from ADDR` takes the first address after it and any key
 * information (hostbased: the client's user and host names) may follow; an invalid user's
 * failure must end with sshd's own key type and fingerprint, or it does not count at all.
 *
 * Not counted: OpenSSH 9.8's `drop connection #N from [ADDR]:PORT … penalty: …` restates a
 * PerSourcePenalties penalty that the failures already counted earned (fail2ban has no rule for it).
 *
 * Since OpenSSH 9.8 the per-connection process logs as `sshd-session[PID]` (10.0 adds
 * `sshd-auth`); host and pid identify one connection (lines without a pid, such as a bare
 * journal MESSAGE, are not linked).
 */
const PROG = 'sshd(?:-session|-auth)?'
// sshd prefixes some messages with `error: `, `fatal: ` or `error: PAM: `
const P = syslogPrefix(PROG) + '(?:(?:error|fatal): (?:PAM: )?)?'
/** ` port N`, ` on ADDR port N` (`ListenAddress` with rdomain), both optional */
const PORT_OPT = String.raw`(?: port \d+)?(?: on \S+(?: port \d+)?)?`
const END = String.raw`(?: \[preauth\])?\s*$`
const SUFF = PORT_OPT + END
/** a key as sshd prints it: type and fingerprint (SHA256 or, with FingerprintHash md5, MD5 or plain hex) */
const KEY = String.raw`[A-Z][A-Z0-9-]* (?:SHA256:[A-Za-z0-9+/=]+|(?:MD5:)?[0-9a-f]{2}(?::[0-9a-f]{2}){15})`
const INVALID = '(?:invalid|illegal) user '
const NOT_INVALID = '(?!(?:invalid|illegal) user )'
/** what fail2ban calls an algorithm: one to three words before `found` */
const ALG = String.raw`(?:\w+ (?!found\b)){0,2}\w+`
const CLOSED = String.raw`(?:Connection (?:closed|reset)|Disconnected) (?:by|from)(?: (?:invalid|authenticating) user (?<user>.*))? <ip>${PORT_OPT}`

const NORMAL: string[] = [
  // auth.c auth_log(): "Failed %s for %s%.100s from %.200s port %d ssh2%s%s" (method, "invalid user ", user, addr, port, ": ", info)
  // Failed password for root from 203.0.113.7 port 52144 ssh2
  // Failed hostbased for root from 203.0.113.7 port 52144 ssh2: RSA SHA256:… , client user "u", client host "h"
  // SunSSH writes an unknown account as the words `<invalid username>`
  String.raw`${P}Failed (?!publickey )\S+ for ${NOT_INVALID}(?<user><invalid username>|\S+) from <ip>${PORT_OPT}(?: ssh\d?)?(?:: .*| \[preauth\])?\s*$`,
  // Failed password for invalid user admin from 203.0.113.7 port 52144 ssh2
  // Failed publickey for invalid user git from 203.0.113.7 port 52144 ssh2: RSA MD5:2b:…
  String.raw`${P}Failed \S+ for ${INVALID}(?<user>.*) from <ip>${PORT_OPT}(?: ssh\d?)?(?:: ${KEY})?${END}`,
  // auth.c (OpenSSH < 3.x) and SunSSH: ROOT LOGIN REFUSED FROM 203.0.113.7
  String.raw`${P}ROOT LOGIN REFUSED.*? FROM <ip>`,
  // auth.c getpwnamallow(): "Invalid user %.100s from %.100s port %d" (older: Illegal user …)
  String.raw`${P}[iI](?:nvalid|llegal) user (?<user>.*) from <ip>${SUFF}`,
  // auth.c allowed_user(): "User %.100s from %.100s not allowed because …"
  String.raw`${P}User (?<user>.+) from <ip> not allowed because (?:not listed in AllowUsers|listed in DenyUsers|not in any group|a group is listed in DenyGroups|none of user's groups are listed in AllowGroups)${END}`,
  // auth2.c auth_maxtries_exceeded(): "maximum authentication attempts exceeded for %s%.100s from %.200s port %d ssh2"
  String.raw`${P}maximum authentication attempts exceeded for (?:${INVALID})?(?<user>.*) from <ip>${PORT_OPT}(?: ssh\d?)?${END}`,
  // auth-pam.c sshpam_query(): "PAM: %s for %s%.100s from %.100s" (pam_strerror, "illegal user ", user, addr)
  String.raw`${P}[aA]uthentication (?:failure|error|failed) for (?:${INVALID})?(?<user>.*) from <ip>(?: via \S+)?${END}`,
  String.raw`${P}User not known to the underlying authentication module for (?:${INVALID})?(?<user>.*) from <ip>${END}`,
  // auth2.c input_userauth_request(): "Disconnecting %s: Change of username or service not allowed: (%s,%s) -> (%s,%s)"
  String.raw`${P}(?<forget>)Disconnecting (?:from )?(?:invalid|authenticating) user (?<user>\S+) <ip>${PORT_OPT}: ?Change of username or service not allowed: .*\[preauth\]\s*$`,
  // tcp_wrappers refuse(): "refused connect from %s" (eval_client: host (addr), or the address)
  String.raw`${P}refused connect from \S+ \(<ip>\)`,
  String.raw`${P}refused connect from <ip>\s*$`,
  // a client's disconnect with reason 3 (jsch's "Auth fail")
  String.raw`${P}(?<forget>)Received disconnect from <ip>${PORT_OPT}: ?3: .*: Auth fail${END}`,
  // no address, attributed through `link`:
  // auth.c (locked accounts, UsePAM no): "User %.100s not allowed because account is locked"
  String.raw`${P}User (?<user>\S+|.*?) not allowed because account is locked${END}`,
  // packet.c ssh_packet_disconnect() of auth2.c AUTH_FAIL_MSG (OpenSSH < 7.5): Disconnecting: Too many
  // authentication failures for root [preauth]
  String.raw`${P}Disconnecting: Too many authentication failures(?: for (?<user>.*?))?${END}`
]

/** lines that are no failure by themselves; they bind the connection (every mode) */
const BIND: string[] = [
  // sshd.c (LogLevel VERBOSE): "Connection from %s port %d on %s port %d rdomain \"%s\""
  String.raw`${P}Connection from <ip>${PORT_OPT}(?: rdomain "\S*")?\s*$`,
  // Linux-PAM pam_unix: "authentication failure; logname=%s uid=%d euid=%d tty=%s ruser=%s rhost=%s  user=%s"
  String.raw`${P}pam_[a-z]+\(sshd:auth\):\s+authentication failure;(?:\s+(?:logname|e?uid|tty)=\S*){0,4}\s+ruser=\S*\s+rhost=<ip>(?:\s+user=(?<user>\S*))?\s*$`,
  // a client offering keys the server does not take for a real account
  String.raw`${P}Failed publickey for ${NOT_INVALID}(?<user>\S+) from <ip>${PORT_OPT}(?: ssh\d?)?(?:: .*)?\s*$`,
  // auth.c auth_log(): "Accepted %s for %s from %.200s port %d ssh2": the connection is done
  // (one-word methods, as fail2ban reads them: not keyboard-interactive/pam nor gssapi-with-mic)
  String.raw`${P}(?<forget>)Accepted \w+ for (?<user>\S+) from <ip>(?:\s|$)`,
  // the client said goodbye (SSH2_DISCONNECT_BY_APPLICATION)
  String.raw`${P}(?<forget>)Received disconnect from <ip>${PORT_OPT}: ?11:`
]

const NORMAL_BIND: string[] = [
  // packet.c: "Connection closed by %s", "Disconnected from %s" (remote id: [invalid|authenticating user U ]ADDR port N)
  String.raw`${P}(?<forget>)${CLOSED}${END}`
]

const DDOS: string[] = [
  // sshd.c: "Did not receive identification string from %s port %d"; OpenSSH 9.8 srclimit:
  // "Timeout before authentication for connection from %s to %s, pid = %ld"
  String.raw`${P}(?:Did not receive identification string from|Timeout before authentication for(?: connection from)?) <ip>`,
  // sshd.c (< 7.5): "Bad protocol version identification '%.100s' from %s port %d": the quoted text is the client's
  String.raw`${P}Bad protocol version identification '.*' (?:from )?<ip>${SUFF}`,
  // packet.c sshpkt_fatal(): "%s: Connection from %s: %s" (tag, remote id, reason)
  String.raw`${P}(?:banner exchange|ssh_dispatch_run_fatal): Connection from (?:(?:invalid|authenticating) user \S+ )?<ip>${PORT_OPT}: (?:invalid format|(?:message authentication code incorrect|[Cc]onnection corrupted) \[preauth\])`,
  // a connection closed before authentication
  String.raw`${P}(?<forget>)${CLOSED} \[preauth\]\s*$`,
  String.raw`${P}(?<forget>)Received disconnect from <ip>${PORT_OPT}: ?11: .*\[preauth\]\s*$`,
  // no address, attributed through `link`: kex_exchange_identification: Connection closed by remote host
  String.raw`${P}kex_exchange_identification: (?:read: )?(?:[Cc]lient sent invalid protocol identifier|[Cc]onnection (?:closed by remote host|reset by peer))`,
  String.raw`${P}(?<forget>)Read from socket failed: Connection reset by peer${END}`
]

const DDOS_BIND: string[] = [
  // the same, after authentication: the connection ends
  String.raw`${P}(?<forget>)${CLOSED}\s*$`,
  // a vendor build's connection record: SSH: Server;Ltype: Version;Remote: 203.0.113.7-52144;Protocol: 2.0;Client: …
  String.raw`${P}SSH: Server;Ltype: (?:Authname|Version|Kex);Remote: <ip>-\d+;[A-Z]\w+:`
]

const EXTRA: string[] = [
  // Received disconnect from 203.0.113.7 port 52144:14: No supported authentication methods available [preauth]
  String.raw`${P}(?<forget>)Received disconnect from <ip>${PORT_OPT}: ?14: No(?: supported)? authentication methods available${END}`,
  // kex.c: Unable to negotiate with 203.0.113.7 port 52144: no matching key exchange method found. Their offer: …
  String.raw`${P}Unable to negotiate with <ip>${PORT_OPT}: no matching ${ALG} found\.`,
  // no address, attributed through `link` (older kex.c): Unable to negotiate a key exchange method [preauth]
  String.raw`${P}Unable to negotiate a ${ALG}${END}`,
  String.raw`${P}no matching ${ALG} found:`
]

const EXTRA_ONLY: string[] = [
  // Disconnected from invalid user admin 203.0.113.7 port 52144 [preauth]
  String.raw`${P}(?<forget>)Disconnected (?:from )?(?:invalid|authenticating) user (?<user>.*) <ip>${PORT_OPT} \[preauth\]\s*$`
]

const MODES = ['normal', 'ddos', 'extra', 'aggressive'] as const

function regexFor (mode: string): { regex: string[], from: string[] } {
  switch (mode) {
    case 'normal': return { regex: NORMAL, from: [...BIND, ...NORMAL_BIND] }
    case 'ddos': return { regex: [...NORMAL, ...DDOS], from: [...BIND, ...DDOS_BIND] }
    case 'extra': return { regex: [...NORMAL, ...EXTRA, ...EXTRA_ONLY], from: BIND }
    default: return { regex: [...NORMAL, ...DDOS, ...EXTRA], from: [...BIND, ...DDOS_BIND] }
  }
}

export const sshd: Preset = {
  name: 'sshd',
  description: 'OpenSSH authentication failures (fail2ban sshd): normal, ddos (pre-auth probes), extra (negotiation failures), aggressive (all)',
  modes: MODES,
  defaultMode: 'normal',
  fail2ban: ['sshd'],
  forms: 'OpenSSH 3.x to 10.x, Linux, BSD and Solaris syslog, journal',
  source: {
    file: '/var/log/auth.log',
    // trusted fields only: anyone can write SYSLOG_IDENTIFIER=sshd (`logger -t sshd`), and a
    // binary named sshd gives _COMM=sshd, but not with _UID=0 (sshd's monitor logs as root)
    journal: ['_SYSTEMD_UNIT=ssh.service', '_SYSTEMD_UNIT=sshd.service', '+', '_COMM=sshd', '_COMM=sshd-session', '_COMM=sshd-auth', '_UID=0'],
    // the link is keyed by sshd's pid: from the journal too
    syslogForm: true
  },
  filters (mode: string): PresetFilter[] {
    const { regex, from } = regexFor(mode)
    return [{
      name: 'sshd',
      regex,
      retry: 5,
      retryperiod: '10m',
      ban: '1h',
      link: { id: syslogConnectionId(PROG), from, ttl: '10m' }
    }]
  }
}

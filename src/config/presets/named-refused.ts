import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix, TS_ISO } from './prefix.ts'

/**
 * BIND (named) refusals (fail2ban named-refused): queries, zone transfers and dynamic updates
 * the server's ACLs denied, logged in category `security` by lib/ns/client.c ns_client_log()
 * through lib/ns/query.c, lib/ns/xfrout.c and lib/ns/update.c:
 *   `client @0x7f0a3c01a2b8 203.0.113.7#53142 (example.com): query (cache) 'example.com/A/IN' denied`
 * (9.11 and later print the client object `@0x…`, 9.16 and later append the ACL that refused,
 * ` (allow-query-cache did not match)`; older versions print neither, 9.9 not the name either).
 * Behind a syslog prefix (`named[123]: `), or in a `channel` file with print-time,
 * print-category and print-severity (`23-Nov-2026 14:09:01.123 security: info: `).
 *
 * The address follows the fixed `client ` at the start of the message, before the query name
 * (client text: it is whatever the client asked).
 */
const P = String.raw`${syslogPrefix('named')}(?:\d\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d(?:\.\d+)? |${TS_ISO} )?(?:[a-z-]+: )?(?:(?:info|notice|warning|error|critical|debug(?: \d+)?): )?`
const CLIENT = String.raw`${P}client (?:@0x[0-9a-fA-F]+ )?<ip>#\d+(?: \(\S*\))?: (?:view [^\s:]+: )?`

const REGEX: string[] = [
  // client @0x7f0a3c01a2b8 203.0.113.7#53142 (example.com): query (cache) 'example.com/A/IN' denied (allow-query-cache did not match)
  String.raw`${CLIENT}query(?: \(cache\))? '.*' denied\b`,
  // client @0x7f0a3c01a2b8 203.0.113.7#53142 (example.com): zone transfer 'example.com/AXFR/IN' denied
  String.raw`${CLIENT}zone transfer '\S+/[AI]XFR/\w+' denied\b`,
  // client 203.0.113.7#53142: bad zone transfer request: 'example.com/IN': non-authoritative zone (NOTAUTH)
  String.raw`${CLIENT}bad zone transfer request: '\S+': non-authoritative zone \(NOTAUTH\)`,
  // client @0x7f0a3c01a2b8 203.0.113.7#53142: update 'example.com/IN' denied
  String.raw`${CLIENT}update '\S+' denied\b`
]

export const namedRefused: Preset = {
  name: 'named-refused',
  description: 'BIND refused queries, zone transfers and updates (security category)',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['named-refused'],
  forms: "syslog, journal or a security channel file: `client [@0x…] ADDR#PORT (NAME): query (cache) '…' denied`, zone transfer, update",
  source: { file: '/var/log/named/security.log', journal: ['_SYSTEMD_UNIT=named.service', '_SYSTEMD_UNIT=bind9.service'] },
  filters (): PresetFilter[] {
    return [{ name: 'named-refused', regex: REGEX, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

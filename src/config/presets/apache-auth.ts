import type { Preset, PresetFilter } from './types.ts'
import { AH, apacheRegex } from './web-prefix.ts'

/**
 * Apache httpd authentication / authorisation failures in the error log (fail2ban apache-auth,
 * modes normal and aggressive). The `[client ADDRESS:PORT]` field comes before any client text
 * (web-prefix.ts apacheHeads), so the address is fixed and the message only decides whether the
 * line counts. 2.4 and 2.2 formats, file or syslog (`apache2[pid]:` / `httpd[pid]:`), IPv4 and
 * IPv6 clients.
 *
 * Not counted, as in fail2ban: Digest nonces that are stale rather than forged (AH01776 `hash is
 * not`: every browser sends one after a restart; `nonce expired` / `one-time-nonce mismatch` are
 * info-level "sending new nonce" notes), and, in normal mode, lines of mod_evasive (its module is
 * `evasive20`/`evasive24`): those are flood blocks, counted by aggressive mode.
 * Quoted names are `[^']*`, not `.*?`: two lazy runs in one message would be quadratic on a long line.
 */
// 2.2 prefixed its Digest messages with `Digest: `; other auth modules use their own word
const AUTH_TYPE = String.raw`(?:[A-Z]\w+: )?`

const MESSAGES = [
  // modules/aaa/mod_authz_core.c AH01630 "client denied by server configuration: %s%s" (2.2: mod_authz_host)
  // modules/aaa/mod_auth_basic.c AH01614 "client used wrong authentication scheme: %s"
  String.raw`client (?:denied by server configuration|used wrong authentication scheme)\b`,
  // mod_auth_basic.c AH01617 "user %s: authentication failure for \"%s\": Password Mismatch",
  //   AH01618 "user %s not found: %s"; mod_authz_core.c AH01631 "user %s: authorization failure for \"%s\": "
  String.raw`user (?!\x60).*?(?::? auth(?:oriz|entic)ation failure\b| not found\b| denied by provider\b)`,
  // 2.2 mod_authz_owner / mod_authz_groupfile: "Authorization of user %s to access %s failed, reason: %s"
  String.raw`Authorization of user .*? to access \S* failed\b`,
  // modules/aaa/mod_auth_digest.c AH01792 "user %s: password mismatch: %s"
  String.raw`${AUTH_TYPE}user .*?: password mismatch\b`,
  // mod_auth_digest.c AH01790 "user `%s' in realm `%s' not found: %s", AH01794 "… denied by provider: %s"
  String.raw`${AUTH_TYPE}user \x60[^']*' in realm \x60[^']*' (?:not found|denied by provider|auth(?:oriz|entic)ation failure)\b`,
  // mod_auth_digest.c AH01775 "invalid nonce %s received - length is not %d",
  //   AH01777 "invalid nonce %s received - user attempted time travel"
  String.raw`${AUTH_TYPE}invalid nonce .*? received - (?:length is not\b|user attempted time travel\b)`,
  // mod_auth_digest.c AH01788 "realm mismatch - got `%s' but expected `%s'", AH01789 "unknown algorithm `%s' received: %s",
  //   AH01793 "invalid qop `%s' received: %s"
  String.raw`${AUTH_TYPE}(?:realm mismatch - got \x60[^']*' but (?:expected|no realm expected)|unknown algorithm \x60[^']*' received|invalid qop \x60[^']*' received)\b`,
  // modules/ssl/ssl_engine_kernel.c AH02031 "Hostname %s provided via SNI, but no hostname provided in HTTP request",
  //   AH02032 "Hostname %s provided via SNI and hostname %s provided via HTTP have no compatible SSL setup",
  //   AH02033 "No hostname was provided via SNI for a name based virtual host"
  String.raw`(?:No h|H)ostname \S+ provided via SNI(?:, but no hostname provided| and hostname \S+ provided| for a name based virtual host)`
].join('|')

const NOT_EVASIVE = String.raw`(?!evasive)[\w.-]*`

export const apacheAuth: Preset = {
  name: 'apache-auth',
  description: 'Apache httpd authentication and access-denied errors (error.log, 2.2 and 2.4 formats); aggressive adds mod_evasive',
  modes: ['normal', 'aggressive'],
  defaultMode: 'normal',
  fail2ban: ['apache-auth'],
  forms: 'Apache 2.2/2.4 error.log, file or syslog (apache2[pid]:/httpd[pid]:), [client]/[remote] ADDR[:PORT], IPv6',
  source: { file: '/var/log/apache2/error.log', journal: ['_SYSTEMD_UNIT=apache2.service', '_SYSTEMD_UNIT=httpd.service'] },
  filters (mode: string): PresetFilter[] {
    const regex = apacheRegex(`${AH}(?:${MESSAGES})`, mode === 'aggressive' ? undefined : NOT_EVASIVE)
    return [{ name: 'apache-auth', regex, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

import type { Preset, PresetFilter } from './types.ts'
import { AH, apacheRegex } from './web-prefix.ts'

/**
 * Requests for scripts on a site that has none of that kind (fail2ban apache-noscript): PHP, ASP,
 * EXE, Perl and cgi-bin paths that Apache could not find, and PHP-FPM's "Primary script unknown"
 * relayed by mod_proxy_fcgi. Meant for sites that do not run PHP (or where the script would exist).
 * The path is client text, but it comes after the `[client ADDR]` field Apache wrote.
 */
const SCRIPT = String.raw`/\S*?(?:(?:php(?:[45]|[.-]cgi)?|\.asp|\.exe|\.pl)(?![\w-])|\bcgi-bin/)`

const MESSAGE = [
  // server/core.c AH00128 "File does not exist: %s"; modules/generators/mod_cgi.c AH01264 "script not found or unable to stat: %s"
  // [Mon Nov 23 14:09:01.123456 2026] [core:info] [pid 1234] [client 203.0.113.7:52144] AH00128: File does not exist: /var/www/html/admin.php
  String.raw`${AH}(?:[Ff]ile does not exist|script not found or unable to stat): ${SCRIPT}`,
  // 2.2 mod_cgi: "script '%s' not found or unable to stat"
  // (the extension is looked for by a lookahead: `\S*?…[^']*` would be quadratic on a long quoted path)
  String.raw`${AH}script '/(?=[^'\s]*?(?:(?:php(?:[45]|[.-]cgi)?|\.asp|\.exe|\.pl)(?![\w-])|\bcgi-bin/))[^']*' not found or unable to stat`,
  // modules/proxy/mod_proxy_fcgi.c AH01071 "Got error '%s'" with PHP-FPM's stderr "Primary script unknown"
  String.raw`${AH}Got error '[Pp]rimary script unknown(?:\\n)?'`
].join('|')

export const apacheNoscript: Preset = {
  name: 'apache-noscript',
  description: 'requests for PHP/ASP/EXE/Perl/cgi-bin scripts that do not exist (Apache error.log)',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['apache-noscript'],
  forms: 'Apache 2.2/2.4 error.log, file or syslog; File does not exist, script not found, Primary script unknown',
  source: { file: '/var/log/apache2/error.log', journal: ['_SYSTEMD_UNIT=apache2.service', '_SYSTEMD_UNIT=httpd.service'] },
  filters (): PresetFilter[] {
    return [{ name: 'apache-noscript', regex: apacheRegex(MESSAGE), retry: 6, retryperiod: '10m', ban: '1h' }]
  }
}

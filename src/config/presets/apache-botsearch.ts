import type { Preset, PresetFilter } from './types.ts'
import { BOTSEARCH_BLOCK } from './nginx-botsearch.ts'
import { AH, apacheRegex } from './web-prefix.ts'

/**
 * Scanners asking for software that is not installed (fail2ban apache-botsearch, the path list of
 * its botsearch-common, shared with nginx-botsearch): error.log's "File does not exist" / "script
 * not found" for phpMyAdmin, webmail, wp-login.php, cgi-bin, mysqladmin directly under the web
 * root. Web roots: Debian's /var/www and /var/www/html, /srv/www(/htdocs), /srv/http.
 * The path is client text, but it comes after the `[client ADDR]` field Apache wrote.
 */
const WEBROOT = String.raw`(?:/var/www(?:/html)?|/srv/www(?:/htdocs)?|/srv/http)`

// server/core.c default_handler AH00128 "File does not exist: %s"; modules/generators/mod_cgi.c
// AH01264 "script not found or unable to stat: %s"; 2.2 mod_cgi "script '%s' not found or unable to stat"
// [Mon Nov 23 14:09:01.123456 2026] [core:info] [pid 1234:tid 5678] [client 203.0.113.7:52144] AH00128: File does not exist: /var/www/html/phpmyadmin
const MESSAGE = String.raw`${AH}(?:(?:File does not exist|script not found or unable to stat): ${WEBROOT}${BOTSEARCH_BLOCK}|script '${WEBROOT}${BOTSEARCH_BLOCK}[^']*' not found or unable to stat)`

export const apacheBotsearch: Preset = {
  name: 'apache-botsearch',
  description: 'requests for well-known admin/login paths that do not exist under the web root (Apache error.log)',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['apache-botsearch'],
  forms: 'Apache 2.2/2.4 error.log, file or syslog; File does not exist / script not found',
  source: { file: '/var/log/apache2/error.log', journal: ['_SYSTEMD_UNIT=apache2.service', '_SYSTEMD_UNIT=httpd.service'] },
  filters (): PresetFilter[] {
    return [{ name: 'apache-botsearch', regex: apacheRegex(MESSAGE), retry: 2, retryperiod: '10m', ban: '1h' }]
  }
}

import type { Preset, PresetFilter } from './types.ts'
import { accessHead, NGINX_ERROR, NGINX_ONLY_CLIENT } from './web-prefix.ts'

/**
 * Scanners asking for software that is not installed (fail2ban nginx-botsearch, with the path
 * list of its botsearch-common): webmail (roundcube, mail, extmail, horde, webmail, v-webmail),
 * phpMyAdmin under its usual names and folders (pma, myadmin, phpmyadmin; typo3/, xampp/, admin/),
 * the WordPress login and sign-up scripts, cgi-bin, mysqladmin. The name must follow the path's
 * first slash, which scanners often double (`GET //phpmyadmin/`).
 */
export const BOTSEARCH_BLOCK = String.raw`//?(?:roundcube|(?:ext)?mail|horde|(?:v-?)?webmail|(?:typo3/|xampp/|admin/)?(?:pma|(?:php)?[Mm]y[Aa]dmin)|wp-(?:login|signup)\.php|cgi-bin|mysqladmin)`

const REGEX: string[] = [
  // access.log, nginx's `combined` format (src/http/modules/ngx_http_log_module.c):
  // 203.0.113.7 - - [23/Nov/2026:14:09:01 +0000] "GET //phpmyadmin/ HTTP/1.1" 404 153 "-" "Mozilla/5.0"
  String.raw`${accessHead('nginx')}(?:GET|POST|HEAD) ${BOTSEARCH_BLOCK}[^"]* [^"\s]+" 404 `,
  // error.log, src/http/modules/ngx_http_static_module.c / ngx_http_index_module.c:
  //   "%s \"%s\" failed" (open()), "\"%s\" is not found" + " (2: No such file or directory)"
  // 2026/11/23 14:09:01 [error] 1234#1234: *3 open() "/usr/share/nginx/html/phpmyadmin" failed (2: No such file or directory), client: 203.0.113.7, server: …, request: "GET /phpmyadmin HTTP/1.1", host: "example.com"
  // The quoted path is the decoded URI: client text before the address, hence NGINX_ONLY_CLIENT.
  String.raw`${NGINX_ERROR}(?:\S+ )?"[^"]*" (?:failed|is not found) \(2: No such file or directory\), client: <ip>${NGINX_ONLY_CLIENT}, server: \S*, request: "(?:GET|POST|HEAD) ${BOTSEARCH_BLOCK}[^"]* [^"\s]+"`
]

export const nginxBotsearch: Preset = {
  name: 'nginx-botsearch',
  description: 'requests for well-known admin/login paths that do not exist here (access.log 404s and error.log)',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['nginx-botsearch'],
  forms: 'nginx access.log (combined, 404) and error.log (open() failed / is not found, ENOENT)',
  source: { file: '/var/log/nginx/access.log', journal: ['_SYSTEMD_UNIT=nginx.service'] },
  filters (): PresetFilter[] {
    return [{ name: 'nginx-botsearch', regex: REGEX, retry: 2, retryperiod: '10m', ban: '1h' }]
  }
}

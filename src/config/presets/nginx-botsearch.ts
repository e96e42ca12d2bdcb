import type { Preset, PresetFilter } from './types.ts'
import { CLF_TIME, NGINX_ERROR } from './web-prefix.ts'

/**
 * Scanners asking for software that is not installed (fail2ban nginx-botsearch, with
 * botsearch-common's list): webmail, phpMyAdmin, WordPress login, cgi-bin, mysqladmin.
 * Matches both the access log (404, address first on the line) and the error log
 * (`open() … failed (2: No such file or directory)`; the decoded path is client text, hence
 * the `$`-anchored tail).
 */
const BLOCK = String.raw`/(?:(?:roundcube|(?:ext)?mail|horde|(?:v-?)?webmail|(?:typo3/|xampp/|admin/)?(?:pma|(?:php)?[Mm]y[Aa]dmin)|wp-(?:login|signup)\.php|cgi-bin|mysqladmin)[^\s"]*)`

const REGEX: string[] = [
  // 203.0.113.7 - - [23/Nov/2026:14:09:01 +0000] "GET /wp-login.php HTTP/1.1" 404 153 "-" "Mozilla/5.0"
  String.raw`^<ip> - \S+ ${CLF_TIME} "(?:GET|POST|HEAD) ${BLOCK} HTTP/\d(?:\.\d)?" 404 `,
  // 2026/11/23 14:09:01 [error] 1234#1234: *3 open() "/usr/share/nginx/html/phpmyadmin" failed (2: No such file or directory), client: 203.0.113.7, server: …, request: "GET /phpmyadmin HTTP/1.1", host: "example.com"
  String.raw`${NGINX_ERROR}(?:\S+ )?".*" (?:failed|is not found) \(2: No such file or directory\), client: <ip>, server: \S*, request: "(?:GET|POST|HEAD) ${BLOCK} HTTP/\d(?:\.\d)?", (?:upstream: "\S*", )?host: "\S*"(?:, referrer: "\S*")?\s*$`
]

export const nginxBotsearch: Preset = {
  name: 'nginx-botsearch',
  description: 'requests for well-known admin/login paths that do not exist here (access.log 404s and error.log)',
  modes: ['normal'],
  defaultMode: 'normal',
  source: { file: '/var/log/nginx/access.log' },
  filters (): PresetFilter[] {
    return [{ name: 'nginx-botsearch', regex: REGEX, retry: 2, retryperiod: '10m', ban: '1h' }]
  }
}

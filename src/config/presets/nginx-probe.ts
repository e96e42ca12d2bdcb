import type { Preset, PresetFilter } from './types.ts'
import { ACCESS_REQUEST, accessHead } from './web-prefix.ts'

/**
 * Probes in nginx's access log, beyond fail2ban's filters (which have no access-log probe filter
 * of this kind). What it counts, chosen so that a site's own visitors are not counted:
 * - normal: requests the server itself refused with 403, 410 or 444 (444 is nginx's "close the
 *   connection without answering", which admins use for unwanted hosts and paths); and requests for
 *   well-known CMS login/admin and secret paths that do not exist here (answered 404): WordPress
 *   (wp-login.php, xmlrpc.php, wp-admin/, wp-includes/, wp-config.php), Joomla (administrator/),
 *   Drupal (user/login), and `.env` / `.git/` files. A site running that CMS answers 200/302 and
 *   is not counted.
 * - aggressive: also failed logins on a site that does run WordPress or Drupal: `POST
 *   /wp-login.php` or `POST /user/login` answered 200 (both re-display the form on a wrong password
 *   and redirect, 302/303, on success).
 * Not counted: 401 (a browser's first request to a basic-auth area), other 4xx (broken links),
 * xmlrpc.php answered 200 (legitimate clients use it).
 * The address is the line's first field; the request is escaped by nginx, so one quoted run.
 */
const CMS = String.raw`(?:wp-login\.php|xmlrpc\.php|wp-admin/|wp-includes/|wp-config\.php|administrator/|user/login(?![\w-])|\.env(?![\w-])|\.git/)`

const REFUSED = String.raw`${accessHead('nginx')}${ACCESS_REQUEST}" (?:403|410|444) `
// 203.0.113.7 - - [23/Nov/2026:14:09:01 +0000] "GET /blog/wp-login.php HTTP/1.1" 404 153 "-" "Mozilla/5.0"
// the path up to the FIRST known name (a tempered run): trying every later occurrence would be quadratic
const MISSING = String.raw`${accessHead('nginx')}[A-Z]+ (?:(?!/${CMS})[^"\s?])*/${CMS}[^"\s]* [^"\s]+" 404 `
// 203.0.113.7 - - [23/Nov/2026:14:09:01 +0000] "POST /wp-login.php HTTP/1.1" 200 4123 "-" "Mozilla/5.0"
const FAILED_LOGIN = String.raw`${accessHead('nginx')}POST (?:(?!/(?:wp-login\.php|user/login))[^"\s?])*/(?:wp-login\.php|user/login)(?:\?[^"\s]*)? [^"\s]+" 200 `

export const nginxProbe: Preset = {
  name: 'nginx-probe',
  description: 'scanner probes in the nginx access log: requests answered 403/410/444, missing CMS login/secret paths (404); aggressive adds failed WordPress/Drupal logins',
  modes: ['normal', 'aggressive'],
  defaultMode: 'normal',
  fail2ban: [],
  forms: 'nginx access.log (combined or common), file or syslog',
  source: { file: '/var/log/nginx/access.log', journal: ['_SYSTEMD_UNIT=nginx.service'] },
  filters (mode: string): PresetFilter[] {
    const regex = mode === 'aggressive' ? [REFUSED, MISSING, FAILED_LOGIN] : [REFUSED, MISSING]
    return [{ name: 'nginx-probe', regex, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

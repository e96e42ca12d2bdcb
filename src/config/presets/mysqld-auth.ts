import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix, TS_ISO } from './prefix.ts'

/**
 * MySQL and MariaDB refused logins (fail2ban mysqld-auth): ER_ACCESS_DENIED_ERROR, "Access
 * denied for user '%-.48s'@'%-.64s' (using password: %s)" (sql/share/errmsg*.txt, logged from
 * sql/sql_acl.cc / sql/auth/sql_authentication.cc when log_warnings >= 2 / log_error_verbosity = 3).
 * Line starts: `130322 11:26:54 [Warning] ` (MySQL 5.5), `2026-11-23T14:09:01.123456Z 8 [Note]
 * [MY-010926] [Server] ` (MySQL 8), `2026-11-23 14:09:01 8 [Warning] ` (MariaDB), behind a syslog
 * or journal prefix when mysqld_safe or systemd sends the error log there.
 *
 * The user name (client text, 48 bytes at most) comes before the host, and the host is the last
 * thing on the line: the regex takes the LAST `'@'ADDR' (using password: …)` before `$`, which
 * the server wrote. A host printed as a name (name resolution on) is not counted.
 */
const P = String.raw`${syslogPrefix('mysqld|mariadbd|mariadb|mysqld_safe')}(?:(?:\d{6} {1,2}\d{1,2}:\d\d:\d\d|${TS_ISO})(?: +\d+)? )?\[(?:Warning|Note|Error|ERROR|Warn)\] (?:\[MY-\d+\] \[\w+\] )?`

const REGEX: string[] = [
  // 2026-11-23 14:09:01 8 [Warning] Access denied for user 'root'@'203.0.113.7' (using password: YES)
  String.raw`${P}Access denied for user '.*'@'<ip>'(?: \(using password: (?:YES|NO)\))?\s*$`
]

export const mysqldAuth: Preset = {
  name: 'mysqld-auth',
  description: 'MySQL / MariaDB refused logins (error log, syslog or journal)',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['mysqld-auth'],
  forms: "error log, syslog or journal: `Access denied for user 'U'@'ADDR' (using password: YES)`",
  source: { file: '/var/log/mysql/error.log', journal: ['_SYSTEMD_UNIT=mariadb.service', '_SYSTEMD_UNIT=mysql.service'] },
  filters (): PresetFilter[] {
    return [{ name: 'mysqld-auth', regex: REGEX, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

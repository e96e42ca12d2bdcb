import type { Preset, PresetFilter } from './types.ts'
import { AH, apacheRegex } from './web-prefix.ts'

/**
 * Requests too long or malformed to be a browser's (fail2ban apache-overflows): buffer-overflow
 * probes, TLS spoken to a plain-HTTP port, garbage request lines. Not anchored at the line end:
 * the request text that follows can be ~8 KiB.
 */
const MESSAGE = [
  // server/core.c AH00126 "Invalid URI in request %s", AH00135 "Invalid method in request %s",
  //   AH00134 "Invalid method in request %s - possible attempt to establish SSL connection on non-SSL port"
  // [Mon Nov 23 14:09:01.123456 2026] [core:error] [pid 1234] [client 203.0.113.7:52144] AH00126: Invalid URI in request GET /../../etc/passwd HTTP/1.1
  String.raw`Invalid (?:method|URI) in request\b`,
  // server/protocol.c AH00565 "request failed: URI too long (longer than %d)", AH00566 "request failed: invalid characters in URI",
  //   2.2 "request failed: erroneous characters after protocol string: %s"
  String.raw`request failed: (?:URI too long \(longer than \d+\)|invalid characters in URI\b|erroneous characters after protocol string:)`
].join('|')

export const apacheOverflows: Preset = {
  name: 'apache-overflows',
  description: 'over-long or malformed request lines (Apache error.log: Invalid URI/method, URI too long)',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['apache-overflows'],
  forms: 'Apache 2.2/2.4 error.log, file or syslog',
  source: { file: '/var/log/apache2/error.log', journal: ['_SYSTEMD_UNIT=apache2.service', '_SYSTEMD_UNIT=httpd.service'] },
  filters (): PresetFilter[] {
    return [{ name: 'apache-overflows', regex: apacheRegex(`${AH}(?:${MESSAGE})`), retry: 2, retryperiod: '10m', ban: '1h' }]
  }
}

import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix, TS_ISO } from './prefix.ts'

/**
 * GitLab failed sign-ins (fail2ban gitlab): app/controllers/sessions_controller.rb
 * log_failed_login() writes `Failed Login: username=LOGIN ip=ADDR` through Gitlab::AppLogger,
 * to application.log (`TIME: MESSAGE`) and, since GitLab 12.x, application_json.log (one JSON
 * object per line, `"message":"Failed Login: …"`), the only one of the two kept by default now.
 *
 * LOGIN is the sign-in form's field (client text) and comes before the address, so both forms
 * take the LAST ` ip=ADDR` of the message: at the end of the text line (`\s*$`), and right
 * before the message's closing quote in JSON, where JSON escaping leaves no bare `"` to forge.
 */
const P = syslogPrefix('gitlab|gitlab-rails|puma')
// JSON keys before "message": strings (escapes allowed), numbers, true/false/null
const KEYS = String.raw`(?:"[\w.]+":(?:"(?:[^"\\]|\\.)*"|[\w.+-]+),)*`

const REGEX: string[] = [
  // 2026-11-23T14:09:01.123Z: Failed Login: username=bob ip=203.0.113.7
  String.raw`${P}(?:${TS_ISO})?: Failed Login: username=.* ip=<ip>\s*$`,
  // {"severity":"INFO","time":"2026-11-23T14:09:01.123Z","correlation_id":"01HF…","message":"Failed Login: username=bob ip=203.0.113.7"}
  String.raw`${P}\{${KEYS}"message":"Failed Login: username=(?:[^"\\]|\\.)* ip=<ip>"[,}]`
]

export const gitlab: Preset = {
  name: 'gitlab',
  description: 'GitLab failed sign-ins (application_json.log or application.log)',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['gitlab'],
  forms: 'gitlab-rails application_json.log or application.log: `Failed Login: username=… ip=ADDR`',
  source: { file: '/var/log/gitlab/gitlab-rails/application_json.log' },
  filters (): PresetFilter[] {
    return [{ name: 'gitlab', regex: REGEX, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

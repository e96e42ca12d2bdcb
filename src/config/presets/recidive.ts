import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * Repeat offenders (fail2ban recidive), read from Palisade's own log: the decision engine logs
 * every ban as one pino JSON line,
 *   {"level":30,"time":1795010941000,"component":"decide","ip":"203.0.113.7","filter":"ssh.sshd","msg":"ban"}
 * Five bans within a day earn a week. Bans made by this filter itself do not count again
 * (fail2ban's `(?!recidive)`). pino escapes `"` inside values, so `,"ip":"` with bare quotes is
 * a key, never text from a reason or a log line.
 */
const P = syslogPrefix('palisade')
const REGEX: string[] = [
  // {"level":30,"time":1795010941000,"pid":1,"hostname":"h","component":"decide","ip":"203.0.113.7","filter":"ssh.sshd","msg":"ban"}
  String.raw`${P}\{"level":\d+,(?=.*,"component":"decide"[,}])(?=.*,"msg":"ban"[,}])(?!.*,"filter":"[^"]*\.recidive"[,}]).*,"ip":"<ip>"[,}]`
]

export const recidive: Preset = {
  name: 'recidive',
  description: "repeat offenders: addresses Palisade itself banned 5 times within a day (reads Palisade's own log)",
  modes: ['normal'],
  defaultMode: 'normal',
  source: { journal: ['SYSLOG_IDENTIFIER=palisade'] },
  filters (): PresetFilter[] {
    return [{ name: 'recidive', regex: REGEX, retry: 5, retryperiod: '1d', ban: '1w' }]
  }
}

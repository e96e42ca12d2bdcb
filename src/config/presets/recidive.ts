import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * Repeat offenders (fail2ban recidive), read from Palisade's own log: the decision engine logs
 * every decision as one pino JSON line (src/decide/burst-log.ts logDecisions()),
 *   {"level":30,"time":1795010941000,"component":"decide","ip":"203.0.113.7","filter":"ssh.sshd","origin":"local","reporters":["self"],"until":"…","level":0,"why":"votes reached threshold","msg":"ban"}
 * Five bans within a day earn a week. The ban's escalation step is logged as a second `level`
 * key or as `escalation`: neither is looked at, only pino's own `level` that opens the line.
 *
 * Counted once per offence: a ban that only lengthens one in force (`"why":"extended"`, a peer's
 * vote or a repeat after the ban) is fail2ban's "already banned", not a new ban; bans made by
 * this filter itself do not count again (fail2ban's `(?!recidive)`). pino escapes `"` inside
 * values, so `,"ip":"` with bare quotes is a key, never text from a reason or a log line.
 * A burst of more than 50 decisions in one batch is logged as one `"msg":"ban ×N"` line listing
 * its `subjects` (burst-log.ts logBurst()), which this regex does not count: the engine hands the
 * per-ban lines it stands for straight to the streams running this preset instead (banLines in
 * src/decide/index.ts, Detector.ownLogLines), so every ban of a burst counts once all the same.
 */
const P = syslogPrefix('palisade')
const REGEX: string[] = [
  // {"level":30,"time":1795010941000,"pid":1,"hostname":"h","component":"decide","ip":"203.0.113.7","filter":"ssh.sshd","msg":"ban"}
  String.raw`${P}\{"level":(?:\d+|"\w+"),(?=.*,"component":"decide"[,}])(?=.*,"msg":"ban"[,}])(?!.*,"filter":"[^"]*\.recidive"[,}])(?!.*,"why":"extended"[,}]).*,"ip":"<ip>"[,}]`
]

export const recidive: Preset = {
  name: 'recidive',
  description: "repeat offenders: addresses Palisade itself banned 5 times within a day (reads Palisade's own log)",
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['recidive'],
  forms: "Palisade's own pino JSON ban lines (`\"msg\":\"ban\"`), from the journal or a file",
  source: { journal: ['SYSLOG_IDENTIFIER=palisade'] },
  filters (): PresetFilter[] {
    return [{ name: 'recidive', regex: REGEX, retry: 5, retryperiod: '1d', ban: '1w' }]
  }
}

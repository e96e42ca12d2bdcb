import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * Matrix Synapse refused password logins (no fail2ban filter). Synapse's login handler
 * (synapse/handlers/auth.py) logs `Failed password login for user @bob:example.com` with no
 * address; the address is in the access line the same request writes when it ends,
 * synapse/http/site.py SynapseRequest._finished_processing():
 *   `%s - %s - {%s} Processed request: %.3fsec/%.3fsec (%.3fsec, %.3fsec) (%.3fsec/%.3fsec/%d) %sB %s "%s %s %s" "%s" [%d dbevts]`
 * (recent versions: `ru=(%.3fsec, %.3fsec) db=(%.3fsec/%.3fsec/%d)`)
 * (client address, site tag, requester, timings, bytes, status (with `!` when the client went
 * away first), method, URI, protocol, User-Agent), under the default log format
 * `%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s`. A refused
 * login answers 403 (M_FORBIDDEN; 401 for some flows): one access line per attempt, which is
 * what counts. 429 (rate limited) is Synapse refusing to check at all and is not counted.
 *
 * The address is the first field of the message, before the URI and User-Agent (client text);
 * it is the peer, or X-Forwarded-For only when the listener sets `x_forwarded` (a trusted proxy).
 */
const P = String.raw`${syslogPrefix('matrix-synapse|synapse|python3?')}(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ - )?synapse\.access\.[\w.]+ - \d+ - INFO - \S+ - `
// processing/sending, `(ru_utime, ru_stime)`, `(db sched/txn/count)`; recent versions label the last two `ru=`
// and `db=`
const TIMES = String.raw`[\d.]+sec/[\d.]+sec (?:ru=)?\([\d.]+sec, [\d.]+sec\) (?:db=)?\([\d.]+sec/[\d.]+sec/\d+\)`

const REGEX: string[] = [
  // 2026-11-23 14:09:01,123 - synapse.access.http.8008 - 465 - INFO - POST-42 - 203.0.113.7 - 8008 - {None} Processed request: 0.120sec/0.001sec (0.004sec, 0.000sec) (0.001sec/0.002sec/2) 59B 403 "POST /_matrix/client/v3/login HTTP/1.1" "Element/1.11" [0 dbevts]
  String.raw`${P}<ip> - \S+ - \{[^{}]*\} Processed request: ${TIMES} \d+B 40[13]!? "POST /_matrix/client/(?:r0|v3|api/v1|unstable)/login(?:\?\S*)? HTTP/[\d.]+"`
]

export const matrixSynapse: Preset = {
  name: 'matrix-synapse',
  description: 'Matrix Synapse refused password logins (access lines of POST …/login answered 403/401)',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: [],
  forms: 'homeserver.log or journal: `synapse.access.… - ADDR - PORT - {None} Processed request: … 403 "POST /_matrix/client/v3/login …"`',
  source: { file: '/var/log/matrix-synapse/homeserver.log', journal: ['_SYSTEMD_UNIT=matrix-synapse.service'] },
  filters (): PresetFilter[] {
    return [{ name: 'matrix-synapse', regex: REGEX, retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix, TS_ISO } from './prefix.ts'

/**
 * MongoDB authentication failures (fail2ban mongodb-auth), in the shapes mongod has logged:
 *   6.0 and later, structured JSON (src/mongo/db/auth/authentication_session.cpp, LOGV2 id
 *     5286307): `{…,"c":"ACCESS","id":5286307,"ctx":"conn12","msg":"Failed to authenticate",
 *     "attr":{"client":"203.0.113.7:52144","isSpeculative":false,"isClusterMember":false,
 *     "mechanism":"SCRAM-SHA-256","user":"bob","db":"admin","error":"…",…}}`;
 *   4.4 to 5.x, structured JSON (src/mongo/db/auth/sasl_commands.cc / authenticate.cpp,
 *     LOGV2 id 20249): `{"t":{"$date":"…"},"s":"I","c":"ACCESS","id":20249,"ctx":"conn12",
 *     "msg":"Authentication failed","attr":{"mechanism":"SCRAM-SHA-256","speculative":false,
 *     "principalName":"bob","authenticationDatabase":"admin","remote":"203.0.113.7:52144",…}}`;
 *   3.x: `[conn12] SASL SCRAM-SHA-1 authentication failed for bob on admin from client ADDR:PORT ; ERROR`;
 *   2.x and 3.0 with MONGODB-CR: `[conn12] Failed to authenticate bob@admin with mechanism
 *     MONGODB-CR: …`, no address: attributed through `link` to the connection's
 *     `[initandlisten] connection accepted from ADDR:PORT #12` (fail2ban reads its `end
 *     connection` line instead, two lines later).
 *
 * The principal name is client text and comes before the address. In JSON it is an escaped
 * string, so `"remote":"` with bare quotes is always the key. The text lines repeat the name in
 * the error after the address, so the name is read as one `\S+` token (a real user has no
 * space) and nothing after the address may contain ` from `: a name such as `x from client 198.51.100.9:1 ; y`
 * leaves mongod's own ` from client ADDR` in it and the line is not counted. A failed speculative attempt
 * (`"speculative":true` / `"isSpeculative":true`,
 * inside the driver's hello) is followed by the driver's normal attempt, which counts.
 */
const P = String.raw`${syslogPrefix('mongod|mongodb')}`
// `2017-11-23T14:09:01.123+0000 I ACCESS   [conn12] ` (3.x) or `2016-10-20T09:54:27.110+0200 [conn1] ` (2.x)
const LEGACY = String.raw`${P}(?:${TS_ISO}\s+)?(?:[IWEFD]\d? +[A-Z]+ +)?`
const JVALUE = String.raw`(?:"(?:[^"\\]|\\.)*"|true|false|null|-?[\d.]+|\{[^{}]*\})`

const REGEX: string[] = [
  // {"t":{"$date":"2026-11-23T14:09:01.123+00:00"},"s":"I","c":"ACCESS","id":20249,"ctx":"conn12","msg":"Authentication failed","attr":{"mechanism":"SCRAM-SHA-256","speculative":false,"principalName":"bob","authenticationDatabase":"admin","remote":"203.0.113.7:52144","extraInfo":{},"error":"AuthenticationFailed: SCRAM authentication failed, storedKey mismatch"}}
  String.raw`${P}\{"t":\{"\$date":"[^"]*"\},\s*"s":"\w+",\s*"c":"ACCESS",\s*"id":\d+,\s*"ctx":"[^"]*",\s*"msg":"Authentication failed",\s*"attr":\{(?![^{}]*"speculative":true)(?:"\w+":${JVALUE},\s*)*"remote":"\[?<ip>\]?:\d+"`,
  // {"t":{"$date":"2026-11-23T14:09:01.123+00:00"},"s":"I","c":"ACCESS","id":5286307,"ctx":"conn12","msg":"Failed to authenticate","attr":{"client":"203.0.113.7:52144","isSpeculative":false,"isClusterMember":false,"mechanism":"SCRAM-SHA-256","user":"bob","db":"admin","error":"AuthenticationFailed: SCRAM authentication failed, storedKey mismatch","result":18,"metrics":{…},"extraInfo":{}}}
  String.raw`${P}\{"t":\{"\$date":"[^"]*"\},\s*"s":"\w+",\s*"c":"ACCESS",\s*"id":\d+,\s*"ctx":"[^"]*",\s*"msg":"Failed to authenticate",\s*"attr":\{(?![^{}]*"isSpeculative":true)(?:"\w+":${JVALUE},\s*)*"client":"\[?<ip>\]?:\d+"`,
  // 2017-11-23T14:09:01.123+0000 I ACCESS   [conn12] SASL SCRAM-SHA-1 authentication failed for bob on admin from client 203.0.113.7:52144 ; UserNotFound: Could not find user bob@admin
  String.raw`${LEGACY}\[conn\d+\] SASL \S+ authentication failed for \S+ on \S+ from client \[?<ip>\]?:\d+(?!.* from ) ; `,
  // 2017-11-23T14:09:01.123+0000 I ACCESS   [conn12] Failed to authenticate bob@admin from client 203.0.113.7:52144 with mechanism MONGODB-CR: AuthenticationFailed: key mismatch
  String.raw`${LEGACY}\[conn\d+\] +Failed to authenticate \S+ from client \[?<ip>\]?:\d+(?!.* from ) with mechanism \S+: `,
  // 2016-10-20T09:54:27.110+0200 [conn1] Failed to authenticate root@test with mechanism MONGODB-CR: AuthenticationFailed UserNotFound Could not find user root@test
  String.raw`${LEGACY}\[conn\d+\] +Failed to authenticate \S+ with mechanism \S+: `
]

// the connection number: `[conn12]` on its lines, `#12` on the line that accepted it
const LINK_ID = String.raw`(?:\[conn|\] connection accepted from \S+ #)(?<id>\d+)\b`
const LINK_FROM = [String.raw`\[initandlisten\] connection accepted from \[?<ip>\]?:\d+ #\d+`]

export const mongodbAuth: Preset = {
  name: 'mongodb-auth',
  description: 'MongoDB authentication failures (JSON log since 4.4, text before)',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['mongodb-auth'],
  forms: 'mongod.log: JSON `"msg":"Failed to authenticate"` … `"client":"ADDR:PORT"` (6.0+), `"msg":"Authentication failed"` … `"remote":"ADDR:PORT"` (4.4+); 3.x `SASL … authentication failed … from client ADDR`; 2.x `Failed to authenticate` linked to `connection accepted from`',
  source: { file: '/var/log/mongodb/mongod.log', journal: ['_SYSTEMD_UNIT=mongod.service'] },
  filters (): PresetFilter[] {
    return [{
      name: 'mongodb-auth',
      regex: REGEX,
      retry: 5,
      retryperiod: '10m',
      ban: '1h',
      link: { id: LINK_ID, from: LINK_FROM, ttl: '10m' }
    }]
  }
}

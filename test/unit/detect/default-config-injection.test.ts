import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { loadConfig } from '../../../src/config/index.ts'
import { compileFilter } from '../../../src/detect/index.ts'

/**
 * The shipped default config (examples/palisade.yml) against log injection: every sshd line form
 * its filter matches, with an attacker-chosen user name that names another address, must yield
 * the real peer address (printed by sshd after the user name) and never the injected one.
 */
const config = await loadConfig(join(import.meta.dirname, '../../../examples/palisade.yml'), { isRoot: false, cwd: '/tmp' })
const f = compileFilter(config.streams.ssh.filters.find(x => x.name === 'failedlogin')!, config.patterns)
const T = Date.UTC(2026, 0, 1)
const REAL = '198.51.100.9'
const INJECTED = '1.2.3.4'

const lines = [
  `sshd[1]: Invalid user x from ${INJECTED} from ${REAL} port 4711`,
  `sshd[1]: Invalid user x from ${INJECTED} port 22 from ${REAL} port 4711`,
  `sshd[1]: Failed password for invalid user x from ${INJECTED} port 22 from ${REAL} port 4711 ssh2`,
  `sshd[1]: Failed password for x from ${INJECTED} port 22 ssh2 from ${REAL} port 4711 ssh2`,
  `sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${REAL}  user=x rhost=${INJECTED}`,
  `sshd[1]: Connection closed by invalid user x ${INJECTED} port 22 [preauth] ${REAL} port 4711 [preauth]`,
  `sshd[1]: Connection closed by authenticating user x ${INJECTED} port 22 ${REAL} port 4711 [preauth]`
]

test('the shipped default config never takes an address from an attacker-chosen user name', () => {
  for (const line of lines) {
    const m = f.match(line, T)
    assert.notEqual(m?.ip, INJECTED, line)
    assert.equal(m?.ip, REAL, line)
  }
})

test('successful logins and session lines do not match', () => {
  assert.equal(f.match('sshd[1]: Accepted password for alice from 203.0.113.5 port 22 ssh2', T), null)
  assert.equal(f.match('sshd[1]: Accepted publickey for x from 198.51.100.9 port 22 ssh2: ED25519 SHA256:abc', T), null)
  assert.equal(f.match('sshd[1]: pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)', T), null)
})

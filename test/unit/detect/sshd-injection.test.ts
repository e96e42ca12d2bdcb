import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileFilter } from '../../../src/detect/index.ts'
import { filter, ipPattern } from './fixtures.ts'

/**
 * Log injection through a user name: sshd logs `Failed password for invalid user USER from IP
 * port N ssh2`, and USER is chosen by the attacker. A user named `x from 1.2.3.4` must never
 * get 1.2.3.4 banned. The real address is printed AFTER the user name, so a greedy `.*` plus
 * the anchor after `<ip>` (and the candidate's own trailing boundary) settles on the last one.
 */
const T = Date.UTC(2026, 0, 1)
const patterns = { ip: ipPattern() }

test('palisade\'s shipped sshd regex takes the real address, not the injected one', () => {
  const f = compileFilter(filter(['Failed password for .* from <ip> port \\d+']), patterns)
  const line = 'Failed password for invalid user x from 1.2.3.4 from 198.51.100.9 port 22 ssh2'
  assert.equal(f.match(line, T)?.ip, '198.51.100.9')
  // the injected text even carrying its own "port N" does not win
  const line2 = 'Failed password for invalid user x from 1.2.3.4 port 22 from 198.51.100.9 port 22 ssh2'
  assert.equal(f.match(line2, T)?.ip, '198.51.100.9')
})

test('reaction\'s default sshd regexes: how an injected user name behaves', () => {
  const failed = compileFilter(filter(['Failed password for .* from <ip>']), patterns)
  // greedy .* also reaches the last `from`, thanks to the trailing boundary of the candidate
  assert.equal(failed.match('Failed password for invalid user x from 1.2.3.4 from 198.51.100.9 port 22 ssh2', T)?.ip, '198.51.100.9')

  const closed = compileFilter(filter(['Connection (reset|closed) by (authenticating|invalid) user .* <ip>']), patterns)
  assert.equal(closed.match('Connection closed by invalid user x 1.2.3.4 198.51.100.9 port 22 [preauth]', T)?.ip, '198.51.100.9')

  // PAM prints user= AFTER rhost=: an unanchored greedy regex picks the attacker's text.
  // This documents why shipped regexes anchor what follows the address.
  const pam = compileFilter(filter(['authentication failure;.*rhost=<ip>']), patterns)
  const pamLine = 'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.9  user=x rhost=1.2.3.4'
  assert.equal(pam.match(pamLine, T)?.ip, '1.2.3.4', 'unanchored greedy .* is injectable')
  const pamSafe = compileFilter(filter(['authentication failure;.*? rhost=<ip>(?:\\s+user=|$)']), patterns)
  assert.equal(pamSafe.match(pamLine, T)?.ip, '198.51.100.9')
})

test('the candidate never stops inside a longer token', () => {
  const f = compileFilter(filter(['from <ip>']), patterns)
  assert.equal(f.match('from 1.2.3.4.5', T), null)
  assert.equal(f.match('from 1.2.3.45x', T), null)
  assert.equal(f.match('from 1.2.3.4.', T)?.ip, '1.2.3.4', 'a sentence may end after the address')
  assert.equal(f.match('from 203.0.113.7:22', T)?.ip, '203.0.113.7', 'an IPv4 address may carry :port')
  assert.equal(compileFilter(filter(['\\[client <ip>']), patterns).match('[client 203.0.113.7:51234] AH01617', T)?.ip, '203.0.113.7')
  assert.equal(f.match('from [2001:db8::7]:22', T), null, 'the admin regex must say the brackets')
  assert.equal(compileFilter(filter(['from \\[<ip>\\]']), patterns).match('from [2001:db8::7]:22', T)?.ip, '2001:db8::7')
  assert.equal(f.match('from 203.0.113.7, port 22', T)?.ip, '203.0.113.7')
})

test('the sshd preset: the address sshd wrote, whichever side of it the client text sits', async () => {
  const { presetMatcher } = await import('../presets/web-match.ts')
  const m = presetMatcher('sshd', 'aggressive')
  const P = 'Nov 23 14:09:01 host sshd[77]: '
  // a real account's name is one token: the first address after it is sshd's, whatever follows
  assert.equal(m(`${P}Failed hostbased for root from 203.0.113.1 port 22 ssh2: RSA SHA256:Zm9v, client user "u", client host "h from 198.51.100.9 port 1 ssh2"`), '203.0.113.1')
  // an invalid user's name may hold anything: sshd's address is the last, and what follows it must be sshd's
  assert.equal(m(`${P}Failed password for invalid user x from 198.51.100.9 port 22 ssh2: from 203.0.113.2 port 4242 ssh2`), '203.0.113.2')
  assert.equal(m(`${P}Failed password for invalid user from 198.51.100.9 from 203.0.113.3 port 58946 ssh2`), '203.0.113.3')
  // client text on both sides (a certificate's key id after the address): not counted rather than guessed
  assert.equal(m(`${P}Failed publickey for invalid user k from 203.0.113.4 port 9 ssh2: RSA-CERT SHA256:b ID x from 198.51.100.9 port 1 ssh2: RSA SHA256:a (serial 1) CA RSA SHA256:c`), null)
})

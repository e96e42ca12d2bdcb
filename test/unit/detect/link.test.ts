import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileFilter } from '../../../src/detect/index.ts'
import { filter, ipPattern } from './fixtures.ts'

const T = Date.UTC(2026, 0, 1)

test('sshd pid lines: a regex without <ip> is attributed to the address its connection named', () => {
  const f = compileFilter(filter([
    'sshd\\[\\d+\\]: Failed password for .* from <ip> port \\d+',
    'sshd\\[\\d+\\]: error: maximum authentication attempts exceeded'
  ], {
    link: { id: 'sshd(?:-session)?\\[(?<id>\\d+)\\]', from: ['Connection from <ip> port \\d+'], ttl: 60_000 }
  }), { ip: ipPattern() }, { maxLinks: 2 })
  assert.equal(f.match('sshd[100]: error: maximum authentication attempts exceeded', T), null, 'no binding yet')
  assert.equal(f.match('sshd[100]: Connection from 198.51.100.3 port 5555 on 192.0.2.1 port 22', T), null, 'a from line binds only')
  assert.equal(f.match('sshd[200]: Connection from 198.51.100.4 port 5555 on 192.0.2.1 port 22', T), null)
  const m = f.match('sshd[100]: error: maximum authentication attempts exceeded', T + 1000)
  assert.deepEqual([m?.ip, m?.key, m?.values], ['198.51.100.3', '198.51.100.3', { ip: '198.51.100.3' }])
  assert.equal(f.match('sshd[200]: error: maximum authentication attempts exceeded', T + 1000)?.ip, '198.51.100.4')
  // lines with their own address still work
  assert.equal(f.match('sshd[300]: Failed password for x from 203.0.113.1 port 1 ssh2', T)?.ip, '203.0.113.1')
  // ttl: an id not seen for longer than ttl is forgotten
  assert.equal(f.match('sshd[100]: error: maximum authentication attempts exceeded', T + 1000 + 60_001), null)
  // bounded: a third binding evicts the oldest-touched one (200 was touched before 300's binding)
  f.match('sshd[300]: Connection from 198.51.100.5 port 1 on 192.0.2.1 port 22', T + 2000)
  f.match('sshd[400]: Connection from 198.51.100.6 port 1 on 192.0.2.1 port 22', T + 2000)
  assert.equal(f.match('sshd[200]: error: maximum authentication attempts exceeded', T + 3000), null)
  assert.equal(f.match('sshd[400]: error: maximum authentication attempts exceeded', T + 3000)?.ip, '198.51.100.6')
})

test('an ignored address is never bound', () => {
  const f = compileFilter(filter(['sshd\\[\\d+\\]: error: too many'], {
    patterns: ['ip'],
    link: { id: '\\[(?<id>\\d+)\\]', from: ['Connection from <ip>'], ttl: 60_000 }
  }), { ip: ipPattern({ ignore: ['192.0.2.9'] }) })
  f.match('sshd[1]: Connection from 192.0.2.9', T)
  assert.equal(f.match('sshd[1]: error: too many', T), null)
})

test('ids that read alike as numbers stay distinct connections', () => {
  // pids become integer keys; "007", "7" and a non-decimal id must never share one
  const f = compileFilter(filter(['\\[\\w+\\]: error: too many'], {
    patterns: ['ip'],
    link: { id: '\\[(?<id>\\w+)\\]', from: ['\\[\\w+\\]: Connection from <ip>'], ttl: 60_000 }
  }), { ip: ipPattern() })
  f.match('[7]: Connection from 198.51.100.7', T)
  f.match('[007]: Connection from 198.51.100.8', T)
  f.match('[7a]: Connection from 198.51.100.9', T)
  f.match('[1234567890]: Connection from 198.51.100.10', T)
  assert.equal(f.match('[7]: error: too many', T)?.ip, '198.51.100.7')
  assert.equal(f.match('[007]: error: too many', T)?.ip, '198.51.100.8')
  assert.equal(f.match('[7a]: error: too many', T)?.ip, '198.51.100.9')
  assert.equal(f.match('[1234567890]: error: too many', T)?.ip, '198.51.100.10')
  assert.equal(f.match('[70]: error: too many', T), null)
})

test('a from line counts only once two different users were tried on its connection', () => {
  const f = compileFilter(filter(['\\[\\d+\\]: Failed password for (?<user>\\S+) from <ip>'], {
    link: {
      id: '\\[(?<id>\\d+)\\]',
      from: ['\\[\\d+\\]: Failed publickey for (?<user>\\S+) from <ip>', '\\[\\d+\\]: (?<forget>)Accepted \\S+ for (?<user>\\S+) from <ip>', '\\[\\d+\\]: Connection closed by <ip>'],
      ttl: 60_000
    }
  }), { ip: ipPattern() })
  assert.equal(f.match('[1]: Failed publickey for alice from 198.51.100.1', T), null, 'one user: no failure')
  assert.equal(f.match('[1]: Failed publickey for alice from 198.51.100.1', T), null, 'the same user again: still none')
  assert.equal(f.match('[1]: Failed publickey for bob from 198.51.100.1', T)?.ip, '198.51.100.1', 'a second user counts')
  assert.equal(f.match('[1]: Connection closed by 198.51.100.1', T), null, 'a line naming no user never counts')
  assert.equal(f.match('[1]: Accepted publickey for carol from 198.51.100.1', T)?.ip, '198.51.100.1', 'a login after several users counts')
  // the Accepted line forgot the connection: a new one on the same id starts with no users
  assert.equal(f.match('[1]: Failed publickey for dave from 198.51.100.1', T), null)
  // failure lines add their user too
  assert.equal(f.match('[2]: Failed password for root from 198.51.100.2', T)?.ip, '198.51.100.2')
  assert.equal(f.match('[2]: Accepted publickey for root from 198.51.100.2', T), null, 'the same user logging in is no attack')
  assert.equal(f.match('[3]: Failed password for root from 198.51.100.3', T)?.ip, '198.51.100.3')
  assert.equal(f.match('[3]: Accepted publickey for admin from 198.51.100.3', T)?.ip, '198.51.100.3')
})

test('another address on a live id is a new connection: its users start over', () => {
  const f = compileFilter(filter(['\\[\\d+\\]: error: too many'], {
    patterns: ['ip'],
    link: { id: '\\[(?<id>\\d+)\\]', from: ['\\[\\d+\\]: Failed publickey for (?<user>\\S+) from <ip>'], ttl: 60_000 }
  }), { ip: ipPattern() })
  f.match('[9]: Failed publickey for alice from 198.51.100.4', T)
  assert.equal(f.match('[9]: Failed publickey for bob from 198.51.100.5', T), null, 'a reused pid is not a multi-user connection')
  assert.equal(f.match('[9]: error: too many', T)?.ip, '198.51.100.5')
})

test('a forget line ends the connection after it is counted', () => {
  const f = compileFilter(filter(['\\[\\d+\\]: (?<forget>)Read from socket failed', '\\[\\d+\\]: error: too many'], {
    patterns: ['ip'],
    link: { id: '\\[(?<id>\\d+)\\]', from: ['\\[\\d+\\]: Connection from <ip>'], ttl: 60_000 }
  }), { ip: ipPattern() })
  f.match('[5]: Connection from 198.51.100.6', T)
  assert.equal(f.match('[5]: Read from socket failed', T)?.ip, '198.51.100.6')
  assert.equal(f.match('[5]: error: too many', T), null, 'forgotten')
})

test('an id regex with a host group keeps two hosts\' equal pids apart', () => {
  const f = compileFilter(filter(['\\]: error: too many'], {
    patterns: ['ip'],
    link: { id: '^(?<host>\\S+) sshd\\[(?<id>\\d+)\\]', from: ['\\]: Connection from <ip>'], ttl: 60_000 }
  }), { ip: ipPattern() })
  f.match('a sshd[7]: Connection from 198.51.100.7', T)
  assert.equal(f.match('b sshd[7]: error: too many', T), null, 'host b never bound pid 7')
  assert.equal(f.match('a sshd[7]: error: too many', T)?.ip, '198.51.100.7')
  f.match('b sshd[7]: Connection from 198.51.100.8', T)
  assert.equal(f.match('b sshd[7]: error: too many', T)?.ip, '198.51.100.8', 'the same pid on another host is another connection')
})

test('a from line that can only end a connection still ends a bound one (it skips the from regex only on unbound ids)', () => {
  const f = compileFilter(filter(['sshd\\[\\d+\\]: error: maximum authentication attempts exceeded'], {
    link: { id: 'sshd\\[(?<id>\\d+)\\]', from: ['Connection from <ip> port \\d+', '(?<forget>)Connection closed by <ip>'], ttl: 60_000 }
  }), { ip: ipPattern() })
  const max = (pid: number): string | undefined => f.match(`sshd[${pid}]: error: maximum authentication attempts exceeded`, T)?.ip
  // an unbound id: the closing line binds nothing
  assert.equal(f.match('sshd[7]: Connection closed by 198.51.100.7 port 1', T), null)
  assert.equal(max(7), undefined)
  // a bound id: the closing line (no binding literal in it) ends the connection
  f.match('sshd[8]: Connection from 198.51.100.8 port 1', T)
  assert.equal(max(8), '198.51.100.8')
  assert.equal(f.match('sshd[8]: Connection closed by 198.51.100.8 port 1', T), null)
  assert.equal(max(8), undefined, 'the connection ended')
})

test('a closing line ends its connection whichever `[N]` of the line is its id (leading zeros, long ids, brackets before it)', () => {
  for (const id of ['0123', '12345678901', '7']) {
    const f = compileFilter(filter(['error: too many'], {
      patterns: ['ip'],
      link: {
        id: '^sshd(?:\\([^\\s()]+\\))?\\[(?<id>\\d+)\\]',
        from: ['Connection from <ip>', '(?<forget>)Closed by <ip>'],
        ttl: 60_000
      }
    }), { ip: ipPattern() })
    const pre = `sshd(x[5][77])[${id}]:`
    f.match(`${pre} Connection from 198.51.100.1`, T)
    assert.equal(f.match(`${pre} error: too many`, T)?.ip, '198.51.100.1', id)
    // [5] and [77] are bound to nothing; the id is: the line is read and ends the connection
    f.match(`sshd[5]: [77] ${pre} x`, T)
    f.match(`${pre} Closed by 198.51.100.1 [5]`, T)
    assert.equal(f.match(`${pre} error: too many`, T), null, id)
  }
})

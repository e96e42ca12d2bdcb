import { describe, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock, type Clock } from '../../src/common/clock.ts'
import type { Firewall, FirewallBan } from '../../src/firewall/types.ts'
import { addAddress, createNetns, startTcpServer, tcpConnect, type Netns } from '../helpers/netns.ts'
import type { BanScope } from '../../src/config/types.ts'
import { scopeRef } from '../../src/firewall/scope.ts'

/**
 * The behaviour every firewall backend must show. Each case runs in a fresh network namespace,
 * so kernel backends are exercised for real and never touch the host's ruleset.
 *
 *   firewallCompliance('nftables', (ns, opts) =>
 *     ({ firewall: createFirewall(…netns: ns.name…), clock, enforces: true, … }))
 */
export interface BackendUnderTest {
  firewall: Firewall
  /** the clock the backend was given: a ManualClock for backends without kernel timeouts */
  clock: Clock
  /** packets are really dropped: the allowlist case checks a TCP connection */
  enforces: boolean
  /** kernel state (table, chains, sets) present? absent for backends without kernel state */
  stateExists?: () => Promise<boolean>
  /** number of hook entry points into the backend's rules (duplicates after adopt would show here) */
  hookCount?: () => Promise<number>
}

export type MakeBackend = (ns: Netns, opts: { keepOnStop: boolean }) => BackendUnderTest | Promise<BackendUnderTest>

const HOUR = 3_600_000
const SSH: BanScope = { protocols: ['tcp'], ports: [[22, 22]] }
const WEB: BanScope = { protocols: ['tcp'], ports: [[80, 80], [443, 443]] }

/** `subject scope` per element, sorted: `all` for the unscoped sets */
function scoped (list: FirewallBan[] | null): string[] {
  assert.ok(list !== null, 'list() returned null: table missing')
  return list.map(b => `${b.subject} ${b.scope === undefined ? 'all' : scopeRef(b.scope).key}`).sort()
}

async function fresh (
  t: TestContext,
  makeBackend: MakeBackend,
  keepOnStop = false
): Promise<{ ns: Netns; b: BackendUnderTest }> {
  const ns = await createNetns('fwc')
  t.after(() => ns.remove())
  const b = await makeBackend(ns, { keepOnStop })
  return { ns, b }
}

function subjects (list: FirewallBan[] | null): string[] {
  assert.ok(list !== null, 'list() returned null: table missing')
  return list.map(b => b.subject).sort()
}

function untilOf (list: FirewallBan[] | null, subject: string): number {
  const b = list?.find(x => x.subject === subject)
  assert.ok(b !== undefined, `${subject} not listed`)
  return b.until
}

/** let time pass: instantly on a ManualClock, for real (kernel timeouts) otherwise */
async function waitUntilGone (b: BackendUnderTest, subject: string, ms: number): Promise<void> {
  if (b.clock instanceof ManualClock) {
    b.clock.advance(ms)
    assert.ok(!subjects(await b.firewall.list()).includes(subject))
    return
  }
  const deadline = Date.now() + ms + 3000
  while (subjects(await b.firewall.list()).includes(subject)) {
    assert.ok(Date.now() < deadline, `${subject} still listed after its timeout`)
    await new Promise(resolve => setTimeout(resolve, 200))
  }
}

export function firewallCompliance (name: string, makeBackend: MakeBackend): void {
  describe(`firewall compliance: ${name}`, () => {
    test('ban then list shows the address with its remaining time', async t => {
      const { b } = await fresh(t, makeBackend)
      await b.firewall.start([], [])
      const until = b.clock.now() + HOUR
      await b.firewall.ban([{ subject: '203.0.113.7', until }, { subject: '2001:db8::7', until }])
      const list = await b.firewall.list()
      assert.deepEqual(subjects(list), ['2001:db8::7', '203.0.113.7'])
      assert.ok(Math.abs(untilOf(list, '203.0.113.7') - until) <= 2000)
    })

    test('unban removes only what it names', async t => {
      const { b } = await fresh(t, makeBackend)
      await b.firewall.start([], [])
      const until = b.clock.now() + HOUR
      await b.firewall.ban([{ subject: '203.0.113.7', until }, { subject: '203.0.113.8', until }])
      await b.firewall.unban(['203.0.113.7'])
      assert.deepEqual(subjects(await b.firewall.list()), ['203.0.113.8'])
    })

    test('a ban expires by itself', async t => {
      const { b } = await fresh(t, makeBackend)
      await b.firewall.start([], [])
      await b.firewall.ban([{ subject: '203.0.113.9', until: b.clock.now() + 1000 }, { subject: '203.0.113.10', until: b.clock.now() + HOUR }])
      await waitUntilGone(b, '203.0.113.9', 1500)
      assert.deepEqual(subjects(await b.firewall.list()), ['203.0.113.10'])
    })

    test('CIDR bans: IPv4 /24 and IPv6 /64', async t => {
      const { b } = await fresh(t, makeBackend)
      await b.firewall.start([], [])
      const until = b.clock.now() + HOUR
      await b.firewall.ban([{ subject: '198.51.100.0/24', until }, { subject: '2001:db8:1:2::/64', until }])
      assert.deepEqual(subjects(await b.firewall.list()), ['198.51.100.0/24', '2001:db8:1:2::/64'])
      await b.firewall.unban(['198.51.100.0/24', '2001:db8:1:2::/64'])
      assert.deepEqual(subjects(await b.firewall.list()), [])
    })

    test('start restores the bans it is given', async t => {
      const { b } = await fresh(t, makeBackend)
      const until = b.clock.now() + HOUR
      await b.firewall.start([{ subject: '203.0.113.1', until }, { subject: '2001:db8::1', until }, { subject: '198.51.100.0/24', until }], [])
      assert.deepEqual(subjects(await b.firewall.list()), ['198.51.100.0/24', '2001:db8::1', '203.0.113.1'])
    })

    test('idempotence: ban twice keeps one element with the later end; unban of an absent subject succeeds', async t => {
      const { b } = await fresh(t, makeBackend)
      await b.firewall.start([], [])
      const now = b.clock.now()
      await b.firewall.ban([{ subject: '203.0.113.7', until: now + 60_000 }])
      await b.firewall.ban([{ subject: '203.0.113.7', until: now + 2 * HOUR }])
      const list = await b.firewall.list()
      assert.deepEqual(subjects(list), ['203.0.113.7'])
      assert.ok(Math.abs(untilOf(list, '203.0.113.7') - (now + 2 * HOUR)) <= 2000, 'second ban extends the first')
      await b.firewall.unban(['203.0.113.99', '2001:db8::99'])
      await b.firewall.unban(['203.0.113.7'])
      await b.firewall.unban(['203.0.113.7'])
      assert.deepEqual(subjects(await b.firewall.list()), [])
    })

    test('concurrent ban calls are all applied and all resolve', async t => {
      const { b } = await fresh(t, makeBackend)
      await b.firewall.start([], [])
      const until = b.clock.now() + HOUR
      const ips = Array.from({ length: 200 }, (_, i) => `203.0.${113 + (i >> 8)}.${i & 255}`)
      await Promise.all(ips.map(ip => b.firewall.ban([{ subject: ip, until }])))
      assert.equal(subjects(await b.firewall.list()).length, 200)
    })

    test('an invalid subject is refused before any command runs', async t => {
      const { b } = await fresh(t, makeBackend)
      await b.firewall.start([], [])
      await assert.rejects(b.firewall.ban([{ subject: '1.2.3.4; rm -rf /', until: b.clock.now() + HOUR }]), { code: 'PAL_ERR_IP_INVALID' })
      await assert.rejects(b.firewall.unban(['0x7f.1']), { code: 'PAL_ERR_IP_INVALID' })
    })

    test('an allowlisted address passes even when banned', async t => {
      const { ns, b } = await fresh(t, makeBackend)
      if (!b.enforces) { t.skip('backend does not enforce packets'); return }
      await addAddress(ns, '10.200.7.1/32')
      await addAddress(ns, '10.200.7.2/32')
      const server = await startTcpServer(ns, '10.200.7.1')
      t.after(() => server.close())
      const connect = async (): Promise<string> =>
        await tcpConnect(ns, '10.200.7.1', server.port, { from: '10.200.7.2', timeoutMs: 800 })
      await b.firewall.start([{ subject: '10.200.7.2', until: b.clock.now() + HOUR }], ['10.200.7.2'])
      assert.equal(await connect(), 'connected')
      await b.firewall.setAllow([])
      assert.equal(await connect(), 'timeout', 'the ban alone drops the connection')
      await b.firewall.setAllow(['10.200.7.0/24'])
      assert.equal(await connect(), 'connected')
    })

    test('stop removes the kernel state; keepOnStop keeps it and its bans', async t => {
      const { ns, b } = await fresh(t, makeBackend)
      const until = b.clock.now() + HOUR
      await b.firewall.start([{ subject: '203.0.113.5', until }], [])
      await b.firewall.stop()
      if (b.stateExists !== undefined) assert.equal(await b.stateExists(), false)
      const kept = await makeBackend(ns, { keepOnStop: true })
      await kept.firewall.start([{ subject: '203.0.113.5', until }], [])
      await kept.firewall.stop()
      if (kept.stateExists !== undefined) {
        assert.equal(await kept.stateExists(), true)
        const again = await makeBackend(ns, { keepOnStop: false })
        assert.deepEqual(subjects(await again.firewall.list()), ['203.0.113.5'])
        await again.firewall.stop()
      }
    })

    test('scoped bans: one subject in two scopes is two elements; a scoped unban lifts one, an unban all', async t => {
      const { b } = await fresh(t, makeBackend)
      await b.firewall.start([], [])
      const until = b.clock.now() + HOUR
      await b.firewall.ban([
        { subject: '203.0.113.7', until, scope: SSH },
        { subject: '203.0.113.7', until, scope: WEB },
        { subject: '2001:db8::7', until, scope: SSH },
        { subject: '198.51.100.0/24', until, scope: WEB },
        { subject: '203.0.113.8', until }
      ])
      assert.deepEqual(scoped(await b.firewall.list()), [
        '198.51.100.0/24 tcp:80,443', '2001:db8::7 tcp:22', '203.0.113.7 tcp:22', '203.0.113.7 tcp:80,443', '203.0.113.8 all'
      ])
      await b.firewall.unban(['203.0.113.7'], { scope: WEB })
      await b.firewall.unban(['203.0.113.8'], { scope: SSH })
      assert.deepEqual(scoped(await b.firewall.list()), [
        '198.51.100.0/24 tcp:80,443', '2001:db8::7 tcp:22', '203.0.113.7 tcp:22', '203.0.113.8 all'
      ], 'a scoped unban touches its own scope only')
      await b.firewall.unban(['203.0.113.7', '203.0.113.8', '198.51.100.0/24', '2001:db8::7'])
      assert.deepEqual(scoped(await b.firewall.list()), [])
    })

    test('start restores scoped bans into their scopes', async t => {
      const { b } = await fresh(t, makeBackend)
      const until = b.clock.now() + HOUR
      await b.firewall.start([
        { subject: '203.0.113.1', until, scope: SSH }, { subject: '203.0.113.1', until },
        { subject: '2001:db8::1', until, scope: WEB }
      ], [])
      assert.deepEqual(scoped(await b.firewall.list()), ['2001:db8::1 tcp:80,443', '203.0.113.1 all', '203.0.113.1 tcp:22'])
    })

    test('a new instance adopts the state a crashed one left, without duplicating it', async t => {
      const { ns, b } = await fresh(t, makeBackend)
      const until = b.clock.now() + HOUR
      const bans = [{ subject: '203.0.113.1', until }, { subject: '2001:db8::1', until }, { subject: '198.51.100.0/24', until }]
      await b.firewall.start(bans, ['192.0.2.0/24'])
      const hooksBefore = await b.hookCount?.()
      // kill -9: the first instance never stops
      const next = await makeBackend(ns, { keepOnStop: false })
      await next.firewall.start([...bans, { subject: '203.0.113.2', until }], ['192.0.2.0/24'])
      assert.deepEqual(subjects(await next.firewall.list()), ['198.51.100.0/24', '2001:db8::1', '203.0.113.1', '203.0.113.2'])
      if (hooksBefore !== undefined) assert.equal(await next.hookCount?.(), hooksBefore)
      await next.firewall.stop()
    })
  })
}

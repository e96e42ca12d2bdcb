import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../../src/common/clock.ts'
import { silentLogger } from '../../../src/common/logger.ts'
import type { Ban, Decision, Vote } from '../../../src/common/model.ts'
import type { BanScope, Config, FilterConfig } from '../../../src/config/types.ts'
import { FirewallSink } from '../../../src/decide/sinks.ts'
import { createFirewall } from '../../../src/firewall/index.ts'
import { scopeRef } from '../../../src/firewall/scope.ts'

/**
 * The firewall sink picks a decision's ban scope from the configuration: a local filter's own,
 * every port for remote and manual bans, and the union when another filter extends a ban.
 */
const SSH: BanScope = { protocols: ['tcp'], ports: [[22, 22]] }
const WEB: BanScope = { protocols: ['tcp'], ports: [[80, 80], [443, 443]] }
const HOUR = 3_600_000

function setup (): { sink: FirewallSink, list: () => Promise<string[]>, clock: ManualClock, config: { current: Pick<Config, 'streams'> } } {
  const clock = new ManualClock()
  const fw = createFirewall({
    backend: 'none', hooks: ['input'], keepOnStop: false, reconcileInterval: 60_000, table: 'palisade',
    command: { ban: [], unban: [] }
  }, { logger: silentLogger(), clock })
  const filter = (name: string, scope?: BanScope): FilterConfig => ({
    id: `app.${name}`, stream: 'app', name, regex: [], patterns: ['ip'], retry: 1, retryperiod: 0,
    duplicate: 'extend', actions: [], ban: HOUR, share: false, ...(scope === undefined ? {} : { scope })
  })
  const config = {
    current: {
      streams: {
        app: { name: 'app', cmd: ['true'], source: { kind: 'command' }, filters: [filter('ssh', SSH), filter('web', WEB), filter('any')] }
      }
    } as Pick<Config, 'streams'>
  }
  const sink = new FirewallSink(fw, silentLogger(), () => config.current)
  const list = async (): Promise<string[]> => {
    await sink.settled()
    return ((await fw.list()) ?? []).map(b => `${b.subject} ${b.scope === undefined ? 'all' : scopeRef(b.scope).key}`).sort()
  }
  void fw.start([], [])
  return { sink, list, clock, config }
}

function ban (ip: string, filter: string, origin: Ban['origin'], until: number): Ban {
  return { key: ip, ip, values: { ip }, filter, origin, since: 0, until, level: 0, reporters: ['self'], firewall: true }
}

function vote (ip: string, filter: string, origin: Vote['origin']): Vote {
  return { key: ip, ip, values: { ip }, author: origin === 'remote' ? 'peer' : 'self', weight: 1, filter, count: 1, observedAt: 0, ttl: HOUR, origin }
}

function decision (b: Ban, v: Vote, extended = false): Decision {
  return { kind: 'ban', ban: b, extended, restored: false, vote: v }
}

test('a local filter bans in its scope; a filter without one, a manual and a remote ban everywhere', async () => {
  const { sink, list, clock } = setup()
  const until = clock.now() + HOUR
  sink.apply(decision(ban('203.0.113.1', 'app.ssh', 'detect', until), vote('203.0.113.1', 'app.ssh', 'detect')))
  sink.apply(decision(ban('203.0.113.2', 'app.any', 'detect', until), vote('203.0.113.2', 'app.any', 'detect')))
  sink.apply(decision(ban('203.0.113.3', 'manual', 'manual', until), vote('203.0.113.3', 'manual', 'manual')))
  // a remote filter may carry a local filter's name: it is still the peer's word, every port
  sink.apply(decision(ban('203.0.113.4', 'app.ssh', 'remote', until), vote('203.0.113.4', 'app.ssh', 'remote')))
  assert.deepEqual(await list(), ['203.0.113.1 tcp:22', '203.0.113.2 all', '203.0.113.3 all', '203.0.113.4 all'])
})

test('another filter extending a ban adds its scope; a remote extension adds every port; unban lifts them all', async () => {
  const { sink, list, clock } = setup()
  const until = clock.now() + HOUR
  const b = ban('203.0.113.9', 'app.ssh', 'detect', until)
  sink.apply(decision(b, vote('203.0.113.9', 'app.ssh', 'detect')))
  sink.apply(decision({ ...b, until: until + 1000 }, vote('203.0.113.9', 'app.web', 'detect'), true))
  assert.deepEqual(await list(), ['203.0.113.9 tcp:22', '203.0.113.9 tcp:80,443'])
  assert.deepEqual(sink.withScopes([{ subject: '203.0.113.9', until: 5 }], [b]).map(e => scopeRef(e.scope).key).sort(),
    ['tcp:22', 'tcp:80,443'], 'reconcile and a rebuild see both scopes')
  sink.apply(decision({ ...b, until: until + 2000 }, vote('203.0.113.9', 'peer-filter', 'remote'), true))
  assert.deepEqual(await list(), ['203.0.113.9 all', '203.0.113.9 tcp:22', '203.0.113.9 tcp:80,443'])
  sink.apply({ kind: 'unban', ban: b, why: 'admin' })
  assert.deepEqual(await list(), [])
  assert.deepEqual(sink.withScopes([{ subject: '203.0.113.9', until: 5 }], [b]).map(e => scopeRef(e.scope).key),
    ['tcp:22'], 'after the unban only the stored ban\'s own filter counts')
})

test('restore: each stored ban in its filter\'s scope under the configuration in force (a reload changes it)', () => {
  const { sink, config } = setup()
  const bans = [ban('203.0.113.1', 'app.ssh', 'detect', 9), ban('203.0.113.2', 'app.gone', 'detect', 9), ban('203.0.113.3', 'x', 'manual', 9)]
  const kernel = bans.map(b => ({ subject: b.ip!, until: b.until }))
  const keys = (): string[] => sink.withScopes(kernel, bans).map(e => `${e.subject} ${scopeRef(e.scope).key || 'all'}`)
  assert.deepEqual(keys(), ['203.0.113.1 tcp:22', '203.0.113.2 all', '203.0.113.3 all'], 'a filter no longer configured: every port')
  const next = structuredClone(config.current) as { streams: Record<string, { filters: FilterConfig[] }> }
  next.streams.app.filters[0].scope = WEB
  config.current = next as Pick<Config, 'streams'>
  assert.deepEqual(keys(), ['203.0.113.1 tcp:80,443', '203.0.113.2 all', '203.0.113.3 all'])
})

/**
 * The small calls a reload makes on each stage (src/daemon-reload.ts), each with a real LevelDB.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { join } from 'node:path'
import { ManualClock } from '../../src/common/clock.ts'
import { createLogger, silentLogger } from '../../src/common/logger.ts'
import { SELF, type Vote } from '../../src/common/model.ts'
import type { FilterConfig, TrustConfig } from '../../src/config/types.ts'
import { createDecisionEngine } from '../../src/decide/index.ts'
import { Counters } from '../../src/detect/counters.ts'
import { storedCounters } from '../../src/detect/counter-log.ts'
import { followLevels } from '../../src/log-level.ts'
import { createStore } from '../../src/store/index.ts'
import { createTrustPolicy, type TrustChange } from '../../src/trust/index.ts'
import { newIdentity, trustConfig } from './federation/helpers.ts'
import { tempDir } from '../helpers/tmp.ts'

const H = 3_600_000
const trust: TrustConfig = {
  threshold: 2, quorum: 2, window: 24 * H, banFor: 24 * H, localWeight: 2, maxReportsPerPeerPerHour: 1000,
  maxRemoteBans: 100, honorRetractions: true, peers: []
}

async function engineSetup () {
  const store = createStore({ path: join(await tempDir(), 'db') })
  await store.start()
  const clock = new ManualClock()
  const engine = createDecisionEngine({ trust, escalation: null, allow: [] }, { store, clock, logger: silentLogger() })
  await engine.start()
  const vote = (ip: string, author: string, extra: Partial<Vote> = {}) => engine.vote({
    key: ip, ip, values: { ip }, author, weight: author === SELF ? 2 : 1, filter: 'ssh.fail', count: 3,
    observedAt: clock.now(), ttl: H, origin: author === SELF ? 'detect' : 'remote', ...extra
  })
  return { store, engine, vote }
}

test('setAllow lifts the bans the new allowlist protects, and refuses their next vote', async () => {
  const { store, engine, vote } = await engineSetup()
  await vote('203.0.113.7', SELF)
  await vote('203.0.113.8', SELF)
  const lifted = await engine.setAllow(['203.0.113.7/32'])
  assert.deepEqual(
    lifted.map(d => [d.kind, d.ban.ip, d.kind === 'unban' ? d.why : '']),
    [['unban', '203.0.113.7', 'allowed']]
  )
  assert.equal(engine.get('203.0.113.7'), undefined)
  assert.notEqual(engine.get('203.0.113.8'), undefined, 'other bans stay')
  assert.equal(await store.get('bans', '203.0.113.7'), undefined, 'the lift is stored')
  assert.equal(await vote('203.0.113.7', SELF), null)
  assert.ok(engine.kernelAllow().includes('203.0.113.7'))
})

test('setAllow with neverBan lifted makes private addresses bannable, and back', async () => {
  const { engine, vote } = await engineSetup()
  assert.equal(await vote('10.1.2.3', SELF), null)
  await engine.setAllow([], { private: false, cgnat: true, ula: true })
  assert.equal((await vote('10.1.2.3', SELF))?.kind, 'ban')
  const lifted = await engine.setAllow([])
  assert.deepEqual(lifted.map(d => d.ban.ip), ['10.1.2.3'])
})

test('setTrust: a raised threshold lifts remote bans that no longer reach it, never a local one', async () => {
  const { engine, vote } = await engineSetup()
  await vote('198.51.100.1', 'peerA')
  assert.equal((await vote('198.51.100.1', 'peerB'))?.kind, 'ban')
  await vote('198.51.100.2', SELF)
  const lifted = await engine.setTrust({ ...trust, threshold: 3, quorum: 3 })
  assert.deepEqual(lifted.map(d => [d.ban.ip, d.kind === 'unban' ? d.why : '']), [['198.51.100.1', 'untrusted']])
  assert.notEqual(engine.get('198.51.100.2'), undefined)
  // the new arithmetic counts for the next votes too
  await vote('198.51.100.3', 'peerA')
  assert.equal(await vote('198.51.100.3', 'peerB'), null)
  assert.equal((await vote('198.51.100.3', 'peerC'))?.kind, 'ban')
})

test('setTrust: a lowered threshold bans on the votes already counted', async () => {
  const { engine, vote } = await engineSetup()
  assert.equal(await vote('198.51.100.5', 'peerA'), null)
  const made = await engine.setTrust({ ...trust, threshold: 1, quorum: 1 })
  assert.deepEqual(made.map(d => [d.kind, d.ban.ip]), [['ban', '198.51.100.5']])
  assert.notEqual(engine.get('198.51.100.5'), undefined)
})

test('setTrust: votes already counted take their author\'s new weight (and shadow flag)', async () => {
  const { store, engine, vote } = await engineSetup()
  await vote('198.51.100.6', 'peerA')
  assert.equal((await vote('198.51.100.6', 'peerB'))?.kind, 'ban')
  const peers: Record<string, { weight: number; shadow: boolean }> = {
    peerA: { weight: 1, shadow: true },
    peerB: { weight: 1, shadow: false }
  }
  const lifted = await engine.setTrust(trust, author => peers[author])
  assert.deepEqual(lifted.map(d => [d.kind, d.ban.ip]), [['unban', '198.51.100.6']], 'a shadow vote no longer counts')
  assert.equal((await store.get<Vote>('votes', '198.51.100.6\u0000peerA'))?.shadow, true, 'the new weight is stored')
})

test('trust.reconfigure replaces configured peers, keeps runtime peers and revocations, checks keys first', async () => {
  const [a, b, c, r] = await Promise.all([newIdentity(), newIdentity(), newIdentity(), newIdentity()]).then(x =>
    x.map(i => i.id)
  )
  const store = createStore({ path: join(await tempDir(), 'db') })
  await store.start()
  const peers = [
    { key: a, name: 'a', weight: 1, shadow: false },
    { key: b, weight: 1, shadow: false },
    { key: r, weight: 1, shadow: false }
  ]
  const policy = createTrustPolicy(
    { config: trustConfig({ peers }) },
    { store, clock: new ManualClock(), logger: silentLogger() }
  )
  await policy.start()
  await policy.revoke(r)
  await policy.add(c, { weight: 2 })
  const changes: TrustChange[] = []
  policy.onChange(ch => changes.push(ch))

  const bad = trustConfig({ peers: [{ key: 'not-a-key', weight: 1, shadow: false }] })
  assert.throws(() => policy.reconfigure(bad), { code: 'PAL_ERR_TRUST_BAD_KEY' })
  assert.notEqual(policy.get(a), undefined, 'a refused configuration changes nothing')

  const out = policy.reconfigure(
    trustConfig({
      peers: [
        { key: a, name: 'a', weight: 0.5, shadow: false },
        { key: r, weight: 1, shadow: false },
        { key: c, weight: 1, shadow: false }
      ]
    })
  )
  assert.deepEqual(out, { added: [c], removed: [b], changed: [a] })
  assert.equal(policy.get(a)?.weight, 0.5)
  assert.equal(policy.get(b), undefined)
  assert.equal(policy.get(r), undefined, 'a revocation outlives the configuration')
  assert.equal(policy.get(c)?.source, 'runtime', 'a runtime entry wins over the configured one')
  assert.deepEqual(changes.map(ch => ch.kind === 'add' ? `add ${ch.peer.key}` : `${ch.kind} ${ch.key}`).sort(), [`add ${a}`, `add ${c}`, `remove ${b}`].sort())
})

test('counters.rebind: kept filters count on under their new definition, removed ones are dropped and deleted', async () => {
  const store = createStore({ path: join(await tempDir(), 'db') })
  await store.start()
  const filter = (id: string, retry: number): FilterConfig => ({
    id, stream: id.split('.')[0], name: id.split('.')[1], regex: [], patterns: ['ip'], retry, retryperiod: H, duplicate: 'extend', actions: [], ban: H, share: false
  })
  const c = new Counters(100)
  const m = (key: string) => ({ filter: '', key, ip: key, values: { ip: key }, time: 1000 })
  c.add(filter('ssh.fail', 5), m('203.0.113.1'))
  c.add(filter('ssh.fail', 5), m('203.0.113.1'))
  c.add(filter('web.probe', 5), m('203.0.113.2'))
  const b0 = store.batch()
  c.drain('ssh', b0)
  c.drain('web', b0)
  await b0.write()

  const b = store.batch()
  assert.equal(c.rebind(new Map([['ssh.fail', filter('ssh.fail', 3)]]), b), 1)
  await b.write()
  assert.deepEqual(c.list().map(x => [x.filter, x.count, x.retry]), [['ssh.fail', 2, 3]])
  assert.equal((await storedCounters(store)).get('web.probe\u0000203.0.113.2'), undefined)
  assert.deepEqual((await storedCounters(store)).get('ssh.fail\u0000203.0.113.1'), [1000, 1000])
  assert.equal(c.add(filter('ssh.fail', 3), m('203.0.113.1')).triggered, true, 'the third match triggers under retry 3')
})

test('followLevels reaches the children the stages made before the change', () => {
  const lines: string[] = []
  const root = createLogger({
    level: 'info',
    destination: new Writable({
      write (chunk, _e, cb) {
        lines.push(String(chunk))
        cb()
      }
    })
  })
  const set = followLevels(root)
  const child = root.child({ component: 'detect' })
  const grandchild = child.child({ stream: 'ssh' })
  grandchild.debug('hidden')
  set('debug')
  grandchild.debug('shown')
  child.debug('shown too')
  set('warn')
  child.info('hidden again')
  assert.deepEqual(lines.map(l => (JSON.parse(l) as { msg: string }).msg), ['shown', 'shown too'])
})

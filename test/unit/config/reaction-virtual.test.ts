import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ManualClock } from '../../../src/common/clock.ts'
import { silentLogger } from '../../../src/common/logger.ts'
import { SELF } from '../../../src/common/model.ts'
import { loadConfig } from '../../../src/config/index.ts'
import { createDecisionEngine } from '../../../src/decide/index.ts'
import { ActionRunner } from '../../../src/decide/actions.ts'
import { createDetector } from '../../../src/detect/index.ts'
import type { Trigger } from '../../../src/detect/types.ts'
import { VirtualStreams } from '../../../src/detect/virtual-source.ts'
import { createStore } from '../../../src/store/index.ts'
import { waitFor } from '../../helpers/wait.ts'
import { tempDir, userEnv } from './helpers.ts'

/**
 * reaction's virtual plugin at run time, with real parts: a filter's virtual action writes its line
 * into the virtual bus, the `type: virtual` stream reads it, and its own filter counts and triggers
 * (YunoHost's recidive: a second ban of the same address within a day bans it for longer).
 */
test('a virtual action feeds its virtual stream: the second ban of an address triggers recidive', async () => {
  const t = tempDir()
  const file = t.write('c.yml', `patterns: { ip: { type: ip } }
streams:
  ssh:
    cmd: [journalctl, -f]
    filters:
      failedlogin:
        regex: ['Failed password for .* from <ip>']
        duplicate: rerun
        actions:
          recidive:
            type: virtual
            options: { send: 'banned <ip>', to: recidive }
  recidive:
    type: virtual
    filters:
      repeat:
        regex: ['^banned <ip>$']
        retry: 2
        retryperiod: 1d
        ban: 30d
`)
  const config = await loadConfig(file, userEnv(t.dir))
  const store = createStore({ path: join(t.dir, 'db') })
  await store.start()
  const clock = new ManualClock()
  const virtual = new VirtualStreams()
  const components = { store, clock, logger: silentLogger(), virtual }
  const engine = createDecisionEngine({ trust: config.trust, escalation: null, allow: [] }, components)
  const filters = Object.values(config.streams).flatMap(s => s.filters)
  const runner = new ActionRunner(filters, -1, components)
  engine.subscribe(runner)
  await engine.start()
  await runner.start()
  const triggers: Trigger[] = []
  const detector = createDetector({
    streams: [config.streams.recidive],
    patterns: config.patterns,
    limits: config.limits,
    onTrigger: async tr => { triggers.push(tr) }
  }, components)
  await detector.start()

  const ssh = filters.find(f => f.id === 'ssh.failedlogin')!
  const vote = async (ip: string) => {
    await engine.vote({ key: ip, ip, values: { ip }, author: SELF, weight: config.trust.localWeight, filter: ssh.id, count: 1, observedAt: clock.now(), ttl: 0, origin: 'detect', firewall: false })
    await runner.idle()
  }
  await vote('203.0.113.7')
  await waitFor('the first line counted', () => detector.counters().some(c => c.filter === 'recidive.repeat'))
  assert.equal(triggers.length, 0, 'one ban is not a repeat offence')
  clock.advance(3_600_000)
  await vote('203.0.113.7')
  await waitFor('recidive trigger', () => triggers.length === 1)
  assert.equal(triggers[0].filter.id, 'recidive.repeat')
  assert.equal(triggers[0].match.ip, '203.0.113.7')
  assert.equal(triggers[0].filter.ban, 30 * 86_400_000)
  assert.equal(virtual.dropped.size, 0)

  await detector.stop(); await runner.stop(); await engine.stop(); await store.stop()
})

test('a line for a virtual stream that is not running is counted as dropped, not lost silently', () => {
  const v = new VirtualStreams()
  assert.equal(v.send('recidive', 'banned 192.0.2.1'), false)
  assert.deepEqual([...v.dropped], [['recidive', 1]])
})

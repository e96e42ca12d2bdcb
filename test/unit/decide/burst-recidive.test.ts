import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { ManualClock } from '../../../src/common/clock.ts'
import { createLogger } from '../../../src/common/logger.ts'
import { SELF, type Vote } from '../../../src/common/model.ts'
import { loadConfig } from '../../../src/config/index.ts'
import { createDecisionEngine } from '../../../src/decide/index.ts'
import { banLine } from '../../../src/decide/burst-log.ts'
import { createDetector } from '../../../src/detect/index.ts'
import type { Trigger } from '../../../src/detect/types.ts'
import { createStore } from '../../../src/store/index.ts'
import { waitFor } from '../../helpers/wait.ts'
import { tempDir, userEnv } from '../config/helpers.ts'

/**
 * The recidive preset counts Palisade's own `"msg":"ban"` log lines. A burst of more than 50
 * decisions is logged as one summary line, so its bans reach recidive another way: the engine
 * hands their would-be lines to the streams that run the preset (src/decide/burst-log.ts).
 */
async function setup () {
  const t = tempDir()
  const own = t.write('palisade.log', '')
  const file = t.write('c.yml', `patterns: { ip: { type: ip } }
streams:
  own:
    file: ${own}
    preset: recidive
`)
  const config = await loadConfig(file, userEnv(t.dir))
  const store = createStore({ path: join(t.dir, 'db') })
  await store.start()
  const clock = new ManualClock()
  const logged: string[] = []
  const sink = new Writable({ write (c, _e, cb) { logged.push(...String(c).split('\n').filter(Boolean)); cb() } })
  const logger = createLogger({ destination: sink })
  const handed: string[][] = []
  const triggers: Trigger[] = []
  const detector = createDetector({
    streams: Object.values(config.streams),
    patterns: config.patterns,
    limits: config.limits,
    onTrigger: async tr => { triggers.push(tr) }
  }, { store, clock, logger })
  const engine = createDecisionEngine({ trust: config.trust, escalation: null, allow: [] }, {
    store,
    clock,
    logger,
    banLines: make => { handed.push([...make()]); detector.ownLogLines?.(make) }
  })
  await engine.start()
  await detector.start()
  // stopped even when an assertion fails first: a running file source would keep the process alive
  after(async () => { await detector.stop(); await engine.stop(); await store.stop() })
  const vote = (ip: string): Vote => ({
    key: ip, ip, values: { ip }, author: SELF, weight: config.trust.localWeight, filter: 'ssh.sshd', count: 3,
    observedAt: clock.now(), ttl: 3_600_000, origin: 'detect'
  })
  return { clock, engine, detector, logged, handed, triggers, vote }
}

const ips = (n: number, c: number): string[] => Array.from({ length: n }, (_, i) => `203.0.${c}.${i + 1}`)

test('a burst of 60 bans logs one summary line, and recidive counts every one of them', async () => {
  const { clock, engine, detector, logged, handed, triggers, vote } = await setup()
  const burst = ips(60, 113)
  for (let round = 1; round <= 5; round++) {
    await engine.voteMany(burst.map(vote))
    if (round === 1) {
      const bans = logged.filter(l => l.includes('"msg":"ban'))
      assert.equal(bans.length, 1, 'one summary line, not 60')
      assert.match(bans[0], /"msg":"ban ×60"/)
      assert.equal(handed.length, 1)
      assert.equal(handed[0].length, 60)
    }
    if (round < 5) {
      await waitFor(`round ${round} counted`, () => {
        const counted = detector.counters().filter(c => c.filter === 'own.recidive')
        return counted.length === 60 && counted.every(c => c.count === round)
      })
      assert.equal(triggers.length, 0, `${round} bans are not yet a repeat offence`)
    }
    // the admin lifts them; the same addresses come back a few minutes later
    for (const ip of burst) await engine.unban(ip)
    clock.advance(5 * 60_000)
  }
  await waitFor('recidive triggered for every address', () => triggers.length === 60)
  assert.deepEqual(triggers.map(t => t.match.ip).sort(), [...burst].sort())
  assert.ok(triggers.every(t => t.filter.id === 'own.recidive'))
})

test('up to 50 decisions are logged one line each (recidive reads those); nothing is handed over twice', async () => {
  const { engine, logged, handed, vote } = await setup()
  await engine.voteMany(ips(50, 114).map(vote))
  assert.equal(logged.filter(l => l.includes('"msg":"ban"')).length, 50)
  assert.equal(handed.length, 0)
})

test('a handed-over line is the very line the logger prints for that ban', async () => {
  const { engine, logged, vote } = await setup()
  const d = await engine.vote(vote('198.51.100.4'))
  assert.ok(d !== null)
  const printed = logged.find(l => l.includes('"msg":"ban"'))!
  const time = (JSON.parse(printed) as { time: number }).time
  assert.equal(banLine(d.ban, 'votes reached threshold', time), printed)
})

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../../src/common/clock.ts'
import { silentLogger } from '../../../src/common/logger.ts'
import { createStore } from '../../../src/store/index.ts'
import { compileFilter } from '../../../src/detect/index.ts'
import { Counters } from '../../../src/detect/counters.ts'
import { StreamRunner } from '../../../src/detect/runner.ts'
import { PromMetrics } from '../../../src/control/metrics.ts'
import { tempDir } from '../../helpers/tmp.ts'
import { commandStream, filter, ipPattern } from '../detect/fixtures.ts'

test('lines, matches and triggers are counted per stream and per filter, without address labels', async () => {
  const store = createStore({ path: await tempDir() })
  await store.start()
  after(() => store.stop())
  const m = new PromMetrics({ processMetrics: false })
  const fail = filter(['fail <ip>'], { retry: 2, retryperiod: 3_600_000 })
  const bad = { ...filter(['bad <ip>'], { retry: 1, retryperiod: 0 }), id: 's.bad', name: 'bad' }
  const runner = new StreamRunner({
    stream: commandStream('s', ['x'], [fail, bad]),
    filters: [compileFilter(fail, { ip: ipPattern() }), compileFilter(bad, { ip: ipPattern() })],
    counters: new Counters(1000),
    store,
    clock: new ManualClock(),
    log: silentLogger(),
    onTriggers: async () => {},
    metrics: {
      lines: m.counter('palisade_detect_lines_total', 'l', ['stream']),
      matches: m.counter('palisade_detect_matches_total', 'm', ['stream']),
      triggers: m.counter('palisade_detect_triggers_total', 't', ['stream']),
      filterMatches: m.counter('palisade_detect_filter_matches_total', 'fm', ['filter']),
      filterTriggers: m.counter('palisade_detect_filter_triggers_total', 'ft', ['filter'])
    }
  })
  await runner.sink({ lines: ['fail 198.51.100.1', 'fail 198.51.100.1', 'bad 198.51.100.2', 'noise', 'fail 198.51.100.3'], time: 1000, checkpoint: { offset: 1 } })
  const text = await m.text()
  assert.match(text, /^palisade_detect_lines_total\{stream="s"\} 5$/m)
  assert.match(text, /^palisade_detect_matches_total\{stream="s"\} 4$/m)
  assert.match(text, /^palisade_detect_filter_matches_total\{filter="s\.f"\} 3$/m)
  assert.match(text, /^palisade_detect_filter_matches_total\{filter="s\.bad"\} 1$/m)
  assert.match(text, /^palisade_detect_filter_triggers_total\{filter="s\.f"\} 1$/m)
  assert.match(text, /^palisade_detect_filter_triggers_total\{filter="s\.bad"\} 1$/m)
  assert.doesNotMatch(text, /198\.51\.100/)
})

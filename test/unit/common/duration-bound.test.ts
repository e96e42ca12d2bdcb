import { test } from 'node:test'
import assert from 'node:assert/strict'
import { clampDuration, isoTime, MAX_DURATION_MS, parseDuration } from '../../../src/common/duration.ts'
import { ConfigInvalidError, formatIssue } from '../../../src/common/errors.ts'
import type { Ban } from '../../../src/common/model.ts'
import { parseConfig } from '../../../src/config/index.ts'
import { renderFeed } from '../../../src/control/feed.ts'
import { nextBanDuration } from '../../../src/decide/escalation.ts'

const DAY = 86_400_000
// nftables refuses a set element timeout above this many seconds
const NFT_MAX_TIMEOUT_S = 99_999_999

test('one upper bound for every duration, below nftables\' maximum timeout', () => {
  assert.ok(MAX_DURATION_MS / 1000 < NFT_MAX_TIMEOUT_S)
  assert.equal(parseDuration('1000d'), MAX_DURATION_MS)
  for (const text of ['1001d', '1200d', '100000000d', '143w', '99999999999999999999999d']) {
    assert.throws(() => parseDuration(text), { code: 'PAL_ERR_DURATION_INVALID' }, text)
  }
  assert.equal(clampDuration(Infinity), MAX_DURATION_MS)
  assert.equal(clampDuration(NaN), MAX_DURATION_MS)
  assert.equal(clampDuration(-5), 0)
})

test('config: a duration over the bound is a located error, whatever the key', () => {
  const text = [
    'streams:',
    '  s:',
    '    cmd: [x]',
    '    filters:',
    '      f: {regex: ["<ip>"], retry: 2, retryperiod: 2000d, ban: 1200d}',
    'escalation: {factor: 2, max: 5000d}',
    'trust: {banFor: 1001d}'
  ].join('\n')
  try {
    parseConfig([{ file: '/c.yml', text, format: 'yaml' }], { isRoot: false, cwd: '/tmp' })
    assert.fail('loaded')
  } catch (err) {
    assert.ok(err instanceof ConfigInvalidError)
    const got = err.issues.map(formatIssue).join('\n')
    for (const [path, value] of [['streams.s.filters.f.retryperiod', '2000d'], ['streams.s.filters.f.ban', '1200d'], ['escalation.max', '5000d'], ['trust.banFor', '1001d']]) {
      assert.match(got, new RegExp(`/c\\.yml:\\d+:\\d+: ${path.replaceAll('.', '\\.')}: at most 1000d .*got ${value}`), got)
    }
  }
})

test('escalation never goes past the bound, even with a factor that would', () => {
  const esc = { factor: 10, max: MAX_DURATION_MS, remember: 30 * DAY }
  const now = 1_000_000_000_000
  const prev = { count: 3, lastDuration: 900 * DAY, lastAt: now - DAY }
  assert.equal(nextBanDuration(prev, DAY, esc, now).duration, MAX_DURATION_MS)
  assert.equal(nextBanDuration(undefined, 10 * MAX_DURATION_MS, null, now).duration, MAX_DURATION_MS)
})

test('a corrupt ban far past any date renders in every feed format and in show', () => {
  const now = Date.UTC(2026, 0, 1)
  const ban: Ban = { key: '192.0.2.7', ip: '192.0.2.7', values: {}, filter: 'manual', origin: 'manual', since: now, until: now + 1e17, level: 0, reporters: ['self'], firewall: true }
  assert.match(renderFeed('json', [ban], now), /"until": ?"\+275760-09-13T00:00:00\.000Z"/)
  assert.match(renderFeed('nft', [ban], now), new RegExp(`192\\.0\\.2\\.7 timeout ${MAX_DURATION_MS / 1000}s`))
  assert.equal(renderFeed('txt', [ban], now), '192.0.2.7\n')
  assert.equal(isoTime(NaN), '+275760-09-13T00:00:00.000Z')
})

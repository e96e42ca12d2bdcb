import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ManualClock } from '../../../src/common/clock.ts'
import { silentLogger } from '../../../src/common/logger.ts'
import { createFirewall } from '../../../src/firewall/index.ts'

/** The command backend shows a ban's scope to its argv as `<ports>` and `<protocol>`. */
const dir = mkdtempSync(join(tmpdir(), 'pal-fw-scope-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const script = join(dir, 'record.mjs')
writeFileSync(script, "import { appendFileSync } from 'node:fs'\nappendFileSync(process.argv[2], process.argv.slice(3).join(' ') + '\\n')\n")

test('<ports> and <protocol> per element; an unban runs once per scope the subject was banned in', async () => {
  const file = join(dir, 'log')
  const clock = new ManualClock()
  const fw = createFirewall({
    backend: 'command', hooks: ['input'], keepOnStop: false, reconcileInterval: 60_000, table: 'palisade',
    command: {
      ban: [process.execPath, script, file, 'ban', '<ip>', 'proto=<protocol>', 'ports=<ports>'],
      unban: [process.execPath, script, file, 'unban', '<ip>', 'proto=<protocol>', 'ports=<ports>']
    }
  }, { logger: silentLogger(), clock })
  await fw.start([], [])
  await fw.ban([
    { subject: '203.0.113.1', until: clock.now() + 60_000, scope: { protocols: ['tcp'], ports: [[22, 22], [8000, 8100]] } },
    { subject: '203.0.113.1', until: clock.now() + 60_000, scope: { protocols: ['tcp', 'udp'], ports: [] } }
  ])
  await fw.ban([{ subject: '203.0.113.2', until: clock.now() + 60_000 }])
  const bans = readFileSync(file, 'utf8').trim().split('\n').sort()
  assert.deepEqual(bans, [
    'ban 203.0.113.1 proto=tcp ports=22,8000-8100',
    'ban 203.0.113.1 proto=tcp,udp ports=all',
    'ban 203.0.113.2 proto=all ports=all'
  ])
  writeFileSync(file, '')
  await fw.unban(['203.0.113.1', '203.0.113.2', '203.0.113.3'])
  assert.deepEqual(readFileSync(file, 'utf8').trim().split('\n').sort(), [
    'unban 203.0.113.1 proto=tcp ports=22,8000-8100',
    'unban 203.0.113.1 proto=tcp,udp ports=all',
    'unban 203.0.113.2 proto=all ports=all'
  ], 'nothing runs for a subject never banned')
  assert.deepEqual(await fw.list(), [])
})

test('a scope that is not one (hand-built, out of range) is refused before any command runs', async () => {
  const fw = createFirewall({
    backend: 'none', hooks: ['input'], keepOnStop: false, reconcileInterval: 60_000, table: 'palisade',
    command: { ban: [], unban: [] }
  }, { logger: silentLogger(), clock: new ManualClock() })
  await fw.start([], [])
  for (const scope of [
    { protocols: ['tcp'], ports: [[0, 22]] },
    { protocols: ['tcp'], ports: [[30, 20]] },
    { protocols: ['icmp'], ports: [] },
    { protocols: [], ports: [[22, 22]] },
    { protocols: ['tcp; drop'], ports: [] }
  ]) {
    await assert.rejects(fw.ban([{ subject: '203.0.113.1', until: Date.UTC(2030, 0, 1), scope: scope as never }]),
      { code: 'PAL_ERR_CONFIG_INVALID' })
  }
})

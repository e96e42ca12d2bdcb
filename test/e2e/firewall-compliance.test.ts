import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ManualClock, systemClock } from '../../src/common/clock.ts'
import { silentLogger } from '../../src/common/logger.ts'
import type { Hook } from '../../src/config/types.ts'
import { createFirewall, type FirewallInit } from '../../src/firewall/index.ts'
import { firewallCompliance } from '../compliance/firewall.ts'
import { createNetns, type Netns } from '../helpers/netns.ts'
import { runTool } from '../../src/firewall/exec.ts'

const TABLE = 'paltest'

function init (backend: FirewallInit['backend'], ns: Netns, keepOnStop: boolean, extra: Partial<FirewallInit> = {}): FirewallInit {
  return {
    backend, hooks: ['input', 'forward'] satisfies Hook[], keepOnStop, reconcileInterval: 60_000, table: TABLE,
    command: { ban: [], unban: [] }, netns: ns.name, ...extra
  }
}

firewallCompliance('nftables', (ns, { keepOnStop }) => ({
  firewall: createFirewall(init('nftables', ns, keepOnStop), { logger: silentLogger(), clock: systemClock }),
  clock: systemClock,
  enforces: true,
  stateExists: async () => (await ns.exec(['nft', 'list', 'table', 'inet', TABLE])).code === 0,
  hookCount: async () => ((await ns.exec(['nft', 'list', 'ruleset'])).stdout.match(/type filter hook/g) ?? []).length
}))

firewallCompliance('iptables', (ns, { keepOnStop }) => ({
  firewall: createFirewall(init('iptables', ns, keepOnStop), { logger: silentLogger(), clock: systemClock }),
  clock: systemClock,
  enforces: true,
  stateExists: async () => (await ns.exec(['ipset', 'list', '-n'])).stdout.includes(`${TABLE}-ban4`) &&
    (await ns.exec(['iptables', '-w', '-S', TABLE.toUpperCase()])).code === 0,
  hookCount: async () => {
    let n = 0
    for (const tool of ['iptables', 'ip6tables']) n += ((await ns.exec([tool, '-w', '-S'])).stdout.match(new RegExp(`-j ${TABLE.toUpperCase()}$`, 'gm')) ?? []).length
    return n
  }
}))

// the command backend appends "ban IP TIMEOUT" / "unban IP" lines to a file through a tiny script
const dir = mkdtempSync(join(tmpdir(), 'pal-fw-cmd-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const script = join(dir, 'record.mjs')
writeFileSync(script, "import { appendFileSync } from 'node:fs'\nappendFileSync(process.argv[2], process.argv.slice(3).join(' ') + '\\n')\n")
let files = 0

function commandInit (ns: Netns, keepOnStop: boolean, file: string): FirewallInit {
  return init('command', ns, keepOnStop, {
    command: { ban: [process.execPath, script, file, 'ban', '<ip>', '<timeout>'], unban: [process.execPath, script, file, 'unban', '<ip>'] }
  })
}

firewallCompliance('command', (ns, { keepOnStop }) => {
  const clock = new ManualClock()
  const firewall = createFirewall(commandInit(ns, keepOnStop, join(dir, `log-${files++}`)), { logger: silentLogger(), clock })
  return { firewall, clock, enforces: false }
})

firewallCompliance('none', (ns, { keepOnStop }) => {
  const clock = new ManualClock()
  return { firewall: createFirewall(init('none', ns, keepOnStop), { logger: silentLogger(), clock }), clock, enforces: false }
})

test('command backend: runs the argv per element with <ip> and <timeout> substituted, without a shell', async () => {
  const file = join(dir, 'direct')
  const clock = new ManualClock()
  const fw = createFirewall({ ...commandInit({ name: 'unused' } as Netns, false, file), netns: undefined }, { logger: silentLogger(), clock })
  await fw.start([{ subject: '203.0.113.1', until: clock.now() + 90_500 }], [])
  await fw.ban([{ subject: '2001:db8::/64', until: clock.now() + 10_000 }])
  await fw.unban(['203.0.113.1', '203.0.113.200'])
  await fw.stop()
  assert.deepEqual(readFileSync(file, 'utf8').trim().split('\n'),
    ['ban 203.0.113.1 91', 'ban 2001:db8::/64 10', 'unban 203.0.113.1', 'unban 2001:db8::/64'])
})

test('createFirewall refuses unknown backends and "auto", naming the known ones', () => {
  const components = { logger: silentLogger(), clock: systemClock }
  for (const backend of ['pf', 'auto'] as const) {
    assert.throws(() => createFirewall(init(backend as FirewallInit['backend'], { name: 'x' } as Netns, false), components),
      (err: Error & { code?: string }) => err.code === 'PAL_ERR_FW_UNKNOWN_BACKEND' && /nftables, iptables, command, none/.test(err.message))
  }
})

test('a missing tool is reported as PAL_ERR_FW_UNAVAILABLE with the package to install', async () => {
  const fw = createFirewall({
    ...commandInit({ name: 'x' } as Netns, false, join(dir, 'none')), netns: undefined,
    command: { ban: ['/nonexistent/palisade-ban', '<ip>'], unban: ['/nonexistent/palisade-unban', '<ip>'] }
  },
  { logger: silentLogger(), clock: new ManualClock() })
  await assert.rejects(fw.ban([{ subject: '203.0.113.1', until: Date.UTC(2030, 0, 1) }]), { code: 'PAL_ERR_FW_UNAVAILABLE' })
  const ns = await createNetns('fwmiss')
  after(() => ns.remove())
  await assert.rejects(runTool('palisade-no-such-tool', [], { netns: ns.name }),
    (err: Error & { code?: string }) => err.code === 'PAL_ERR_FW_UNAVAILABLE' && /palisade-no-such-tool not found/.test(err.message))
  await assert.rejects(runTool('nft', ['frobnicate'], { netns: ns.name }),
    (err: Error & { code?: string }) => err.code === 'PAL_ERR_FW_COMMAND_FAILED' && /^nft frobnicate failed \(exit code 1\): Error/.test(err.message))
})

/**
 * A firewall batch that fails for one element keeps the others: real nft and ipset inside a
 * network namespace, each given one batch with an element its kernel tool refuses.
 */
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { systemClock } from '../../src/common/clock.ts'
import { silentLogger } from '../../src/common/logger.ts'
import { createFirewall, type FirewallInit } from '../../src/firewall/index.ts'
import { createNetns } from '../helpers/netns.ts'

const H = 3_600_000

function init (backend: FirewallInit['backend'], netns: string): FirewallInit {
  return { backend, hooks: ['input'], keepOnStop: false, reconcileInterval: 60_000, table: 'palelem', command: { ban: [], unban: [] }, netns }
}

test('nftables: an interval overlapping a banned prefix fails alone; the rest of the call is in the kernel', async () => {
  const ns = await createNetns('fe')
  after(() => ns.remove())
  const fw = createFirewall(init('nftables', ns.name), { logger: silentLogger(), clock: systemClock })
  const now = Date.now()
  await fw.start([{ subject: '81.0.0.0/16', until: now + H }], [])
  after(() => fw.stop())
  // one call, as reconcile's repairs or a restore make: nft refuses the whole transaction for
  // 81.0.5.0/24 ("interval overlaps with an existing one")
  const call = fw.ban([
    { subject: '81.1.0.1', until: now + H }, { subject: '81.0.5.0/24', until: now + H }, { subject: '81.1.0.2', until: now + H },
    { subject: '2001:db8::1', until: now + H }, { subject: '81.2.0.0/24', until: now + H }
  ])
  await assert.rejects(call, /overlaps|File exists|exists/i)
  const held = new Set((await fw.list())!.map(b => b.subject))
  for (const s of ['81.0.0.0/16', '81.1.0.1', '81.1.0.2', '2001:db8::1', '81.2.0.0/24']) assert.ok(held.has(s), `${s} in the kernel: ${[...held].join(' ')}`)
})

test('iptables/ipset: a refused element fails alone; a ban longer than ipset\'s maximum timeout goes in capped', async () => {
  const ns = await createNetns('fi')
  after(() => ns.remove())
  const fw = createFirewall(init('iptables', ns.name), { logger: silentLogger(), clock: systemClock })
  const now = Date.now()
  await fw.start([], [])
  after(() => fw.stop())
  // ipset refuses a /0 in a hash:net set, and with it the whole `ipset restore`
  const call = fw.ban([{ subject: '81.3.0.1', until: now + H }, { subject: '0.0.0.0/0', until: now + H }, { subject: '81.3.0.2', until: now + H }])
  await assert.rejects(call)
  // 30 days is above ipset's 2,147,483 s: it must not fail (escalated bans reach that)
  await fw.ban([{ subject: '81.3.0.3', until: now + 30 * 24 * H }])
  const held = new Map((await fw.list())!.map(b => [b.subject, b.until]))
  for (const s of ['81.3.0.1', '81.3.0.2', '81.3.0.3']) assert.ok(held.has(s), `${s} in the set: ${[...held.keys()].join(' ')}`)
  assert.ok(held.get('81.3.0.3')! - now > 24 * 24 * H, 'capped at ipset\'s maximum (~24.8 days), reconcile renews it')
})

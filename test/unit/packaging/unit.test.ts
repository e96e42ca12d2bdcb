/**
 * The shipped systemd unit (packaging/palisade.service): the hardening an administrator expects
 * is there, and `systemd-analyze security --offline=true` scores it at 3.0 or below.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { readUnitFile, unitCapabilities } from '../../helpers/unit-file.ts'

const ROOT = join(import.meta.dirname, '../../..')
const UNIT = join(ROOT, 'packaging/palisade.service')
const unit = readUnitFile(UNIT)
const service = unit.get('Service')!
const one = (key: string): string | undefined => service.get(key)?.at(-1)

test('the service runs the compiled entry point from the install directory', () => {
  assert.equal(one('Type'), 'exec')
  const exec = one('ExecStart') ?? ''
  const dir = one('WorkingDirectory') ?? ''
  const [node, ...args] = exec.split(/\s+/)
  assert.ok(node.startsWith(`${dir}/node_modules/.bin/node`), exec)
  const entry = args.find(a => a.endsWith('.js'))
  assert.equal(entry, 'dist/bin/palisade.js', 'the entry npm\'s prepare builds')
  assert.ok(args.includes('start'))
  assert.match(one('ExecReload') ?? '', /kill -HUP \$MAINPID/)
  assert.equal(unit.get('Unit')?.get('PartOf')?.[0], 'nftables.service')
})

test('state and runtime directories belong to the service', () => {
  assert.equal(one('StateDirectory'), 'palisade')
  assert.equal(one('RuntimeDirectory'), 'palisade')
  assert.equal(one('StateDirectoryMode'), '0700')
})

test('capabilities are limited to what nft, ipset and reading logs need', () => {
  const caps = unitCapabilities(unit)
  assert.deepEqual([...caps].sort(), ['CAP_DAC_READ_SEARCH', 'CAP_NET_ADMIN', 'CAP_NET_RAW'])
  assert.deepEqual(one('AmbientCapabilities')?.split(/\s+/).sort(), [...caps].sort())
})

test('sandboxing settings', () => {
  const want: Record<string, string> = {
    NoNewPrivileges: 'yes',
    ProtectSystem: 'strict',
    ProtectHome: 'yes',
    PrivateTmp: 'yes',
    PrivateDevices: 'yes',
    ProtectKernelTunables: 'yes',
    ProtectKernelModules: 'yes',
    ProtectControlGroups: 'yes',
    RestrictSUIDSGID: 'yes',
    LockPersonality: 'yes',
    UMask: '0077'
  }
  for (const [k, v] of Object.entries(want)) assert.equal(one(k), v, k)
  assert.deepEqual(one('RestrictAddressFamilies')?.split(/\s+/).sort(), ['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_UNIX'])
  assert.ok(service.get('SystemCallFilter')?.includes('@system-service'))
  // V8's JIT writes executable memory: this setting would crash the daemon
  assert.equal(service.get('MemoryDenyWriteExecute'), undefined)
})

test('systemd-analyze security scores the unit at 3.0 or below', { skip: !existsSync('/usr/bin/systemd-analyze') && 'systemd-analyze is not installed (apt install systemd)' }, async () => {
  const { stdout } = await promisify(execFile)('systemd-analyze', ['security', '--offline=true', '--no-pager', UNIT]).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }))
  const m = /Overall exposure level for \S+: (\d+(?:\.\d+)?)/.exec(stdout)
  assert.ok(m !== null, stdout.slice(-500))
  assert.ok(Number(m[1]) <= 3.0, `exposure ${m[1]}`)
})

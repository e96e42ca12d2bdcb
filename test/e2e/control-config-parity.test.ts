import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BIN } from '../helpers/daemon.ts'
import { createNetns } from '../helpers/netns.ts'
import { tempDir } from '../helpers/tmp.ts'

/**
 * `test-config` and `start` run one validation: for each configuration below both give the same
 * verdict, and a refusal names the place (file:line:col and dotted path). Before, test-config
 * passed all of the refused ones and start refused them late (or, for a long socket path, stayed
 * up half-started). `start` runs inside a network namespace: the table-name case uses nftables.
 */
interface Verdict { code: number | null, output: string, started: boolean }

function run (argv: readonly string[], netns: string | undefined, untilStarted: boolean): Promise<Verdict> {
  const full =
    netns === undefined
      ? [process.execPath, BIN, ...argv]
      : ['ip', 'netns', 'exec', netns, process.execPath, BIN, ...argv]
  return new Promise(resolve => {
    const child = spawn(full[0], full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    let started = false
    const onData = (b: Buffer): void => {
      output += b.toString()
      if (untilStarted && !started && output.includes('"palisade started"')) { started = true; child.kill('SIGTERM') }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    // a start that neither fails nor starts within this bound is a hang: that is a verdict too
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('close', code => { clearTimeout(guard); resolve({ code, output, started }) })
  })
}

const dir = await tempDir('pal-parity-')
const ns = await createNetns('parity')
after(() => ns.remove())

function config (
  name: string,
  opts: { top?: string; regex?: string[]; firewall?: string; socket?: string; state?: string }
): string {
  const regex = (opts.regex ?? ['x from <ip>']).map(r => `'${r}'`).join(', ')
  return (
    [
      `state: ${opts.state ?? JSON.stringify(join(dir, `state-${name}`))}`,
      `socket: ${opts.socket ?? JSON.stringify(join(dir, `${name}.sock`))}`,
      `firewall: ${opts.firewall ?? '{backend: none}'}`,
      'patterns: {ip: {type: ip}}',
      'streams:',
      '  s:',
      "    cmd: [sleep, '600']",
      '    filters:',
      `      f: {regex: [${regex}], ban: 1h}`,
      opts.top ?? ''
    ].join('\n') + '\n'
  )
}

const cases: Array<{ name: string, text: string, refused: RegExp | null }> = [
  { name: 'proto', text: config('proto', { top: '__proto__: {allow: [0.0.0.0/0]}' }), refused: /proto\.yml:10:1: __proto__: key `__proto__` is not allowed/ },
  { name: 'backref', text: config('backref', { regex: ['(a)\\1 <ip>'] }), refused: /backref\.yml:9:\d+: streams\.s\.filters\.f\.regex\.0: .*backreference/ },
  { name: 'groups', text: config('groups', { regex: ['(?<u>a) <ip>', '(?<u>b) <ip>'] }), refused: null },
  { name: 'table', text: config('table', { firewall: '{backend: nftables, table: abcdefghijklmnopqrst}' }), refused: /table\.yml:3:\d+: firewall\.table: .*at most 16/ },
  { name: 'nul', text: config('nul', { state: JSON.stringify(join(dir, 'st\0x')) }), refused: /nul\.yml:1:8: state: a NUL byte/ },
  { name: 'socket', text: config('socket', { socket: JSON.stringify(join(dir, 'a'.repeat(110) + '.sock')) }), refused: /socket\.yml:2:9: socket: .*at most 107/ }
]

for (const c of cases) {
  test(`test-config and start agree: ${c.name}`, async () => {
    const file = join(dir, `${c.name}.yml`)
    await writeFile(file, c.text)
    const tc = await run(['test-config', '-c', file], undefined, false)
    const st = await run(['start', '-c', file], ns.name, true)
    if (c.refused === null) {
      assert.equal(tc.code, 0, tc.output)
      assert.equal(st.started, true, st.output)
      return
    }
    assert.equal(tc.code, 1, tc.output)
    assert.match(tc.output, c.refused)
    assert.equal(st.started, false, st.output)
    assert.equal(st.code, 1, `start must exit 1 by itself, got ${String(st.code)}: ${st.output}`)
    assert.match(st.output, c.refused)
  })
}

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { PalisadeError } from '../../../src/common/errors.ts'
import { loadConfig, parseExtVar } from '../../../src/config/index.ts'
import { loadConfigIsolated } from '../../../src/config/isolated.ts'
import { extVarArgs, scrubError } from '../../../src/config/jsonnet.ts'
import { tempDir, userEnv } from './helpers.ts'

/**
 * `--ext-str` / `--ext-code` reach every Jsonnet file through loadConfig (what `test-config` calls)
 * and through the worker loadConfigIsolated starts (what `start` and `reload` call), against the
 * real jsonnet command.
 */
const hasJsonnet = ((): boolean => { try { execFileSync('jsonnet', ['--version'], { stdio: 'ignore' }); return true } catch { return false } })()
const skip = !hasJsonnet && 'jsonnet not installed'

const CONFIG = `{
  patterns: { ip: { type: 'ip' } },
  streams: { s: { cmd: ['tail', '-F', std.extVar('log')], filters: { f: { regex: std.extVar('regexes'), ban: '1h' } } } },
}
`

async function jsonnetFailure (p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    assert.ok(err instanceof PalisadeError, String(err))
    assert.equal(err.code, 'PAL_ERR_CONFIG_JSONNET')
    return err.message
  }
  assert.fail('loaded')
}

test('--ext-str and --ext-code reach std.extVar, in the loader and in its worker', { skip }, async () => {
  const { dir, write } = tempDir()
  const file = write('p.jsonnet', CONFIG)
  const ext = [parseExtVar('str', 'log=/var/log/a=b.log'), parseExtVar('code', "regexes=['from <ip> port', 'x <ip>']")]
  const direct = await loadConfig(file, userEnv(dir), { ext })
  assert.deepEqual(direct.streams.s.cmd, ['tail', '-F', '/var/log/a=b.log'])
  assert.equal(direct.streams.s.filters[0].regex.length, 2)
  const isolated = await loadConfigIsolated(file, { ext })
  assert.deepEqual(isolated.streams.s.cmd, direct.streams.s.cmd)
  // without the variables the configuration does not evaluate, and the error says which one is missing
  assert.match(await jsonnetFailure(loadConfig(file, userEnv(dir))), /p\.jsonnet:3:.*undefined external variable: log/)
})

test('NAME alone reads the environment; the value stays out of the interpreter\'s argv', { skip }, async () => {
  const { dir, write } = tempDir()
  const file = write('p.jsonnet', CONFIG)
  process.env.PAL_TEST_LOG = '/var/log/from-env.log'
  try {
    const ext = [parseExtVar('str', 'PAL_TEST_LOG'), parseExtVar('code', 'regexes=["<ip>"]')]
    assert.deepEqual(extVarArgs(ext), ['--ext-str', 'PAL_TEST_LOG', '--ext-code', 'regexes=["<ip>"]'])
    const cfg = await loadConfig(write('q.jsonnet', CONFIG.replace("'log'", "'PAL_TEST_LOG'")), userEnv(dir), { ext })
    assert.deepEqual(cfg.streams.s.cmd, ['tail', '-F', '/var/log/from-env.log'])
  } finally {
    delete process.env.PAL_TEST_LOG
  }
  const unset = await jsonnetFailure(loadConfig(file, userEnv(dir), { ext: [parseExtVar('str', 'PAL_TEST_LOG')] }))
  assert.match(unset, /--ext-str PAL_TEST_LOG: the environment variable PAL_TEST_LOG is not set/)
})

test('bad names and a name given twice are refused before anything runs', () => {
  for (const bad of ['', '=x', '1abc=x', 'a-b=x', 'a b=x', '$(id)=x']) {
    assert.throws(() => parseExtVar('str', bad), (e: unknown) => e instanceof PalisadeError && /expected NAME=VALUE/.test(e.message), bad)
  }
  assert.deepEqual(parseExtVar('code', 'n=1+1'), { kind: 'code', name: 'n', value: '1+1' })
  assert.deepEqual(parseExtVar('str', 'empty='), { kind: 'str', name: 'empty', value: '' })
  assert.throws(() => extVarArgs([parseExtVar('str', 'a=1'), parseExtVar('code', 'a=2')]), /external variable a is given twice/)
})

test('an error inside --ext-code is located in that variable', { skip }, async () => {
  const { dir, write } = tempDir()
  const file = write('p.jsonnet', CONFIG)
  const ext = [parseExtVar('str', 'log=/x'), parseExtVar('code', 'regexes=[1 +]')]
  assert.match(await jsonnetFailure(loadConfig(file, userEnv(dir), { ext })),
    /p\.jsonnet: jsonnet failed: <extvar:regexes>:1:\d+: static error: /)
  assert.equal(scrubError('RUNTIME ERROR: boom\n\t<extvar:c>:1:1-13\tobject <anonymous>\n', []), '<extvar:c>:1:1-13: runtime error: boom')
})

const hasTrim = hasJsonnet && ((): boolean => {
  try { execFileSync('jsonnet', ['-e', 'std.trim(" a ")'], { stdio: 'ignore' }); return true } catch { return false }
})()

test('a std function the installed jsonnet lacks is named as such, not as a configuration error',
  { skip: skip || (hasTrim && 'this jsonnet has std.trim') }, async () => {
    const { dir, write } = tempDir()
    const lib = write('lib.libsonnet', '{ t(x):: std.contains(x, 1) }\n')
    const main = write('p.jsonnet', `local l = import '${lib}';\n{ a: std.trim(' x '), b: l.t([1]) }\n`)
    assert.match(await jsonnetFailure(loadConfig(main, userEnv(dir))),
      /p\.jsonnet:2:\d+-\d+: runtime error: field does not exist: trim \(std\.trim is newer than this jsonnet command's/)
    // in a library too
    const viaLib = write('q.jsonnet', `(import '${lib}').t([1])\n`)
    assert.match(await jsonnetFailure(loadConfig(viaLib, userEnv(dir))), /field does not exist: contains \(std\.contains is newer/)
    // the same message about an object of the configuration's own is left as it is
    const own = write('own.jsonnet', '{ a: { x: 1 }.trim }\n')
    assert.doesNotMatch(await jsonnetFailure(loadConfig(own, userEnv(dir))), /is newer than/)
  })

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { PalisadeError } from '../../../src/common/errors.ts'
import { loadConfig } from '../../../src/config/index.ts'
import { scrubError } from '../../../src/config/jsonnet.ts'
import { tempDir, userEnv } from './helpers.ts'

/**
 * Jsonnet is a language: a configuration can loop forever, eat memory, or read any file and put
 * it into an error message. Each attack runs through loadConfig (what `start` and `test-config`
 * call) against the real jsonnet command.
 */
const hasJsonnet = ((): boolean => { try { execFileSync('jsonnet', ['--version'], { stdio: 'ignore' }); return true } catch { return false } })()
const SECRET = 'k3y-Th4t-mUst-n0t-l3ak-0123456789'
const limits = { timeoutMs: 2000, memoryBytes: 256 * 1024 * 1024 }

async function failure (file: string, cwd: string): Promise<{ message: string, ms: number }> {
  const t0 = Date.now()
  try {
    await loadConfig(file, { ...userEnv(cwd), jsonnet: limits })
  } catch (err) {
    assert.ok(err instanceof PalisadeError, String(err))
    assert.equal(err.code, 'PAL_ERR_CONFIG_JSONNET')
    return { message: err.message, ms: Date.now() - t0 }
  }
  assert.fail('loaded')
}

test('a tailstrict endless loop is stopped at the time limit, a memory bomb at the memory limit', { skip: !hasJsonnet && 'jsonnet not installed' }, async () => {
  const { dir, write } = tempDir()
  const loop = await failure(write('loop.jsonnet', 'local f(n) = f(n + 1) tailstrict;\nf(0)\n'), dir)
  assert.match(loop.message, /did not finish within 2s/)
  assert.ok(loop.ms < 20_000, `stopped after ${loop.ms} ms`)
  const bomb = await failure(write('bomb.jsonnet', '{ n: std.length(std.range(1, 300000000)) }\n'), dir)
  assert.match(bomb.message, /ran out of memory \(limit 256 MiB\)|did not finish/)
})

test('errors never quote an imported file, however it reaches the message', { skip: !hasJsonnet && 'jsonnet not installed' }, async () => {
  const { write: writeOutside } = tempDir()
  const secret = writeOutside('secret', `root:${SECRET}:19000:0:99999:7:::\nline two ${SECRET}\n`)
  const { dir, write } = tempDir()
  const attacks = {
    'error.jsonnet': `{ x: error importstr '${secret}' }`,
    'assert.jsonnet': `local s = importstr "${secret}"; assert false : s; {}`,
    'verbatim.jsonnet': `{ x: error importstr @'${secret}' }`,
    'comment.jsonnet': `{ x: error importstr /* hidden */ '${secret}' }`,
    'parse.jsonnet': `import '${secret}'`,
    'json.jsonnet': `std.parseJson(importstr '${secret}')`,
    'field.jsonnet': `local s = importstr '${secret}'; { a: 1 }[std.split(s, ':')[1]]`
  }
  for (const [name, code] of Object.entries(attacks)) {
    const { message } = await failure(write(name, code), dir)
    assert.doesNotMatch(message, new RegExp(SECRET.slice(0, 10)), `${name}: ${message}`)
    assert.match(message, new RegExp(`^${dir}/${name.replace('.', '\\.')}: jsonnet failed: `), message)
  }
  // an honest error keeps its location and message
  const { message } = await failure(write('typo.jsonnet', '{ a: std.nosuch(1) }'), dir)
  assert.match(message, /typo\.jsonnet:1:6-16: runtime error: field does not exist: nosuch/)
})

test('scrubbing keeps the location and message and drops the stack trace', () => {
  const stderr = 'RUNTIME ERROR: field does not exist: x\n\t/etc/palisade/p.jsonnet:3:5-9\tobject <anonymous>\n\tDuring manifestation\t\n'
  assert.equal(scrubError(stderr, []), '/etc/palisade/p.jsonnet:3:5-9: runtime error: field does not exist: x')
  assert.equal(scrubError('STATIC ERROR: /etc/palisade/p.jsonnet:1:7: Unknown variable: y\n', []), '/etc/palisade/p.jsonnet:1:7: static error: Unknown variable: y')
  assert.match(scrubError('RUNTIME ERROR: s3cr3t-value-here\n\tx.jsonnet:1:1\n', ['s3cr3t-value-here\n']), /withheld/)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { backtrackingRisk, releaseAnalyser } from '../../../src/config/regex-safety.ts'
import { collectGarbage } from '../../../src/common/gc.ts'

const analyserModules = (): string[] =>
  Object.keys(createRequire(import.meta.url).cache).filter(k => /node_modules[/\\](?:scslre|refa)[/\\]/.test(k))

test('releaseAnalyser drops the analyser from the require cache; the next check loads it again', () => {
  assert.equal(backtrackingRisk('(a+)+$')?.exponential, true)
  assert.ok(analyserModules().length >= 2, 'scslre and refa are loaded by a check')
  releaseAnalyser()
  assert.deepEqual(analyserModules(), [])
  collectGarbage()
  assert.equal(backtrackingRisk('(a+)+$')?.exponential, true)
  assert.equal(backtrackingRisk('^a+b$'), null)
  assert.ok(analyserModules().length >= 2)
})

test('collectGarbage leaves no gc global behind in this realm', () => {
  collectGarbage()
  collectGarbage()
  assert.equal((globalThis as { gc?: unknown }).gc, undefined)
})

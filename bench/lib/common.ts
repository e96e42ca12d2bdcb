import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { emit, type BenchResult } from './result.ts'

export const ROOT = join(import.meta.dirname, '../..')
export const BIN = join(ROOT, 'bin/palisade.ts')
/** the shipped entry point: the JavaScript `npm run build` (npm's `prepare`) compiles into dist/ */
export const DIST_BIN = join(ROOT, 'dist/bin/palisade.js')
export const NODE = process.execPath

/** progress goes to stderr; stdout carries the JSON lines and the human summary */
export function progress (msg: string): void {
  process.stderr.write(`  · ${msg}\n`)
}

/** a free-text line the runner carries into the README under the table */
export function emitNote (bench: string, text: string): void {
  process.stdout.write(JSON.stringify({ bench, kind: 'note', text }) + '\n')
}

export function emitAll (results: readonly BenchResult[]): void {
  for (const r of results) emit(r)
}

/** `--runs N` (default 5, never below 1) plus the bench's own options */
export function benchArgs (options: Record<string, { type: 'string' | 'boolean', default?: string | boolean }>): { runs: number, values: Record<string, string | boolean | undefined> } {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, ...options }, allowPositionals: false })
  const v = values as Record<string, string | boolean | undefined>
  return { runs: Math.max(1, Number(v.runs)), values: v }
}

export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/**
 * The mail and FTP presets give each writer of a failure its own filter (dovecot: login process,
 * auth process, PAM; vsftpd: its log and PAM; proftpd and postfix aggressive: per-attempt lines
 * and per-connection summaries), so that one attempt counts once per filter. That only holds if
 * no line is counted by two of a preset's filters: every golden line of these presets is run
 * through every filter of its mode, and at most one may match it.
 */
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { parseConfig } from '../../../src/config/index.ts'
import { compileFilter } from '../../../src/detect/index.ts'

const ROOT = join(import.meta.dirname, '../../fixtures/presets')
const MINE = /^(?:dovecot|postfix|exim|courier|cyrus|sendmail|vsftpd|proftpd|pure-ftpd)/

interface Cases { lines?: Array<{ line: string }>, sequences?: Array<{ lines: string[] }> }

describe('mail and FTP presets: no line is counted by two filters of one mode', () => {
  const dirs = readdirSync(ROOT, { withFileTypes: true })
    .filter(d => d.isDirectory() && MINE.test(d.name) && existsSync(join(ROOT, d.name, 'cases.yaml')))
    .map(d => d.name).sort()

  test('there are such directories', () => {
    assert.ok(dirs.length >= 20, `only ${dirs.length}`)
  })

  for (const name of dirs) {
    test(name, () => {
      const dir = join(ROOT, name)
      const file = join(dir, 'config.yaml')
      const config = parseConfig([{ file, text: readFileSync(file, 'utf8'), format: 'yaml' }], { isRoot: false, cwd: dir })
      const filters = config.streams.s.filters.map(f => ({ id: f.id, c: compileFilter(f, config.patterns) }))
      const cases = parseYaml(readFileSync(join(dir, 'cases.yaml'), 'utf8')) as Cases
      const lines = [...(cases.lines ?? []).map(l => l.line), ...(cases.sequences ?? []).flatMap(s => s.lines)]
      const twice: string[] = []
      for (const line of lines) {
        const hits = filters.filter(f => f.c.match(line, 0) !== null).map(f => f.id)
        if (hits.length > 1) twice.push(`${hits.join(' + ')}: ${line}`)
      }
      assert.deepEqual(twice, [])
    })
  }
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { BEGIN, DOC, END, renderTable, updateDoc } from '../../../scripts/presets-doc.ts'
import { allPresets } from '../../../src/config/presets/index.ts'

test('docs/presets.md holds the preset table as the registry renders it (node scripts/presets-doc.ts --write)', async () => {
  const doc = await readFile(DOC, 'utf8')
  assert.ok(doc.includes(BEGIN) && doc.includes(END), 'docs/presets.md has no generated table: run node scripts/presets-doc.ts --write')
  assert.equal(doc, updateDoc(doc), 'docs/presets.md is out of date: run node scripts/presets-doc.ts --write')
})

test('the table has one row per preset, its modes with the default in bold, and only the generated part changes', () => {
  const table = renderTable()
  for (const p of allPresets()) {
    const row = table.split('\n').find(l => l.startsWith(`| \`${p.name}\` |`))
    assert.ok(row !== undefined, p.name)
    assert.ok(row.includes(`**${p.defaultMode}**`), `${p.name}: default mode in bold`)
  }
  const doc = `# t\n\nintro\n\n${BEGIN}\nold\n${END}\n\n## prose\nkept\n`
  assert.equal(updateDoc(doc, 'NEW'), `# t\n\nintro\n\n${BEGIN}\nNEW\n${END}\n\n## prose\nkept\n`)
})

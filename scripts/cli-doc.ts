/** `node scripts/cli-doc.ts --write`: regenerate docs/cli.md from the command table (without --write: print it). */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cliDoc } from '../src/cli/cli-doc.ts'
import { programTree } from '../src/cli/program-tree.ts'

const text = await cliDoc(programTree())
if (process.argv.includes('--write')) {
  const file = join(import.meta.dirname, '../docs/cli.md')
  writeFileSync(file, text)
  console.log(`wrote ${file}`)
} else {
  process.stdout.write(text)
}

/**
 * `node scripts/cli-doc.ts --write`: regenerate docs/cli.md and the daemon's compiled argument
 * schemas (src/control/commands/arg-schemas.ts) from the command table (without --write: print the doc).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { argSchemasSource, cliDoc } from '../src/cli/cli-doc.ts'
import { programTree } from '../src/cli/program-tree.ts'

const text = await cliDoc(programTree())
if (process.argv.includes('--write')) {
  for (const [rel, body] of [['../docs/cli.md', text], ['../src/control/commands/arg-schemas.ts', await argSchemasSource()]]) {
    const file = join(import.meta.dirname, rel)
    writeFileSync(file, body)
    console.log(`wrote ${file}`)
  }
} else {
  process.stdout.write(text)
}

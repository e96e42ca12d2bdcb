/** `npm run man`: regenerate docs/palisade.1 from the command table. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { manPage } from '../src/cli/man.ts'
import { programTree } from '../src/cli/program-tree.ts'
import { packageVersion } from '../src/common/version.ts'

const file = join(import.meta.dirname, '../docs/palisade.1')
writeFileSync(file, manPage(programTree(), packageVersion()))
console.log(`wrote ${file}`)

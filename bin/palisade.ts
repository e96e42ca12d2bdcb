#!/usr/bin/env node
import { enableCompileCache } from 'node:module'

// V8's compiled code for our modules is kept on disk between runs: a CLI call such as
// `palisade show` then starts without compiling its modules again
enableCompileCache()
// `palisade feed | head`: a reader that goes away ends the command quietly, as it does for cat
process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(0); throw err })
const { main } = await import('../src/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))

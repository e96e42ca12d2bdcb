/**
 * zod costs a daemon ~7 MB private memory: the daemon's own imports (everything it loads at start)
 * must not reach zod or the command table, nor the verbs it loads on the first request. A CLI call
 * (`palisade show`) loads neither zod nor the address parser nor YAML.
 */
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { silentLogger } from '../../../src/common/logger.ts'
import { ControlServer } from '../../../src/control/socket-server.ts'
import type { ControlVerbs } from '../../../src/control/protocol.ts'
import { tempDir } from '../../helpers/tmp.ts'

const ROOT = join(import.meta.dirname, '../../..')

/** the modules a file loads when it is loaded: static value imports, not `import type`, not `import()` */
function staticGraph (entry: string): { files: Set<string>, packages: Set<string> } {
  const files = new Set<string>()
  const packages = new Set<string>()
  const visit = (file: string): void => {
    if (files.has(file)) return
    files.add(file)
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm)) {
      const spec = m[1]
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec))
      else if (!spec.startsWith('node:')) packages.add(spec.split('/')[0])
    }
  }
  visit(entry)
  return { files, packages }
}

test('the daemon does not load zod or the command table when it starts', () => {
  const { files, packages } = staticGraph(join(ROOT, 'src/daemon.ts'))
  assert.ok(files.has(join(ROOT, 'src/control/socket-server.ts')), 'the graph is followed')
  assert.ok(!packages.has('zod'), [...files].filter(f => readFileSync(f, 'utf8').includes("from 'zod'")).join(', '))
  const table = [...files].filter(f => f.includes('/control/commands/'))
  assert.deepEqual(table, [])
  // nor later: the verbs it loads on a request check arguments with the compiled schemas
  const verbs = staticGraph(join(ROOT, 'src/control/commands/socket-verbs.ts'))
  assert.ok(!verbs.packages.has('zod'), [...verbs.packages].join(' '))
  // and the feed's renderers wait for the first `palisade feed`
  assert.ok(![...verbs.files].some(f => f.endsWith('/control/feed.ts')))
})

test('the CLI loads no package until a command needs one, and a socket verb loads only its own module', () => {
  const main = staticGraph(join(ROOT, 'src/cli/main.ts'))
  assert.deepEqual([...main.packages], [])
  assert.deepEqual([...main.files].filter(f => /control\/commands\/(?!table|options|types)/.test(f)), [])
  const show = staticGraph(join(ROOT, 'src/control/commands/show.ts'))
  assert.deepEqual([...show.packages], [])
})

test('the control server loads its verbs on the first request, once', async () => {
  const dir = await tempDir('pal-lazy-')
  let loads = 0
  const server = new ControlServer(join(dir, 'c.sock'), async (): Promise<ControlVerbs> => {
    loads++
    return new Map([['ping', async () => ({ pong: true })]])
  }, silentLogger())
  await server.start()
  after(() => server.stop())
  assert.equal(loads, 0)
  const ask = (line: string): Promise<string> => new Promise(resolve => {
    let answer = ''
    const s = connect(join(dir, 'c.sock'))
    s.setEncoding('utf8').on('data', (c: string) => { answer += c }).on('close', () => resolve(answer))
    s.end(line + '\n')
  })
  assert.match(await ask('{"cmd":"ping","args":{}}'), /"pong":true/)
  assert.match(await ask('{"cmd":"nope","args":{}}'), /unknown command \\"nope\\"/)
  assert.equal(loads, 1)
})

/**
 * The command table is the one list of commands: each entry is complete (a socket side with its
 * schema and handler and a printer, or a local run; a group only groups), verbs and paths are
 * unique, and every schema refuses what it does not name.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as z from 'zod'
import { COMMANDS, loadAll } from '../../../src/control/commands/table.ts'

const key = (path: readonly string[]): string => path.join(' ')

test('every entry has a schema, a handler and a printer, or a local run; a group has neither', async () => {
  const paths = new Set(COMMANDS.map(e => key(e.path)))
  for (const e of COMMANDS) {
    const name = key(e.path)
    assert.ok(e.path.length > 0 && e.path.every(w => /^[a-z][a-z0-9-]*$/.test(w)), name)
    assert.ok(e.path.length === 1 || paths.has(key(e.path.slice(0, -1))), `${name}: its group is in the table`)
    const isGroup = COMMANDS.some(o => o.path.length === e.path.length + 1 && key(o.path.slice(0, -1)) === name)
    if (isGroup) {
      assert.equal(e.load, undefined, `${name}: a group runs nothing`)
      assert.notEqual(e.description, '', name)
      continue
    }
    assert.equal(typeof e.load, 'function', `${name}: what it does`)
    const c = await e.load!()
    if (c.run !== undefined) {
      assert.equal(c.socket ?? c.print ?? c.call, undefined, `${name}: a local run, or a socket side and a printer`)
      continue
    }
    assert.ok(c.socket !== undefined, `${name}: a socket side or a local run`)
    assert.equal(typeof c.socket.schema, 'function', name)
    assert.equal(typeof c.socket.handle, 'function', name)
    if (e.hidden !== true) assert.equal(typeof c.print, 'function', `${name}: a printer`)
  }
})

test('socket verbs and command paths are unique', async () => {
  const verbs = (await loadAll()).flatMap(({ impl }) => impl.socket === undefined ? [] : [impl.socket.verb])
  assert.equal(new Set(verbs).size, verbs.length, verbs.join(' '))
  assert.ok(verbs.length >= 13, verbs.join(' '))
  const paths = COMMANDS.map(e => key(e.path))
  assert.equal(new Set(paths).size, paths.length)
})

test('every schema builds and refuses an argument it does not name, and a non-object', async () => {
  for (const { impl } of await loadAll()) {
    if (impl.socket === undefined) continue
    const schema = impl.socket.schema(z)
    const r = schema.safeParse({ surely_not_an_argument: 1 })
    assert.equal(r.success, false, impl.socket.verb)
    assert.match(JSON.stringify(r.error?.issues), /surely_not_an_argument/, impl.socket.verb)
    assert.equal(schema.safeParse([]).success, false, impl.socket.verb)
  }
})

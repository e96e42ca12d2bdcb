/**
 * The command table is the one list of commands: each entry is complete (a socket side with its
 * schema and handler and a printer, or a local run; a group only groups), verbs and paths are
 * unique, and every schema refuses what it does not name.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as z from 'zod'
import { COMMANDS } from '../../../src/control/commands/table.ts'

const key = (path: readonly string[]): string => path.join(' ')

test('every entry has a schema, a handler and a printer, or a local run; a group has neither', () => {
  const paths = new Set(COMMANDS.map(e => key(e.path)))
  for (const e of COMMANDS) {
    const name = key(e.path)
    assert.ok(e.path.length > 0 && e.path.every(w => /^[a-z][a-z0-9-]*$/.test(w)), name)
    assert.ok(e.path.length === 1 || paths.has(key(e.path.slice(0, -1))), `${name}: its group is in the table`)
    const isGroup = COMMANDS.some(o => o.path.length === e.path.length + 1 && key(o.path.slice(0, -1)) === name)
    if (isGroup) {
      assert.equal(e.socket ?? e.run ?? e.call, undefined, `${name}: a group runs nothing`)
      assert.notEqual(e.description, '', name)
      continue
    }
    if (e.run !== undefined) {
      assert.equal(e.socket, undefined, `${name}: a local run or a socket side, not both`)
      assert.equal(e.print, undefined, `${name}: a local run prints itself`)
      continue
    }
    assert.ok(e.socket !== undefined, `${name}: a socket side or a local run`)
    assert.equal(typeof e.socket.schema, 'function', name)
    assert.equal(typeof e.socket.handle, 'function', name)
    if (e.hidden !== true) assert.equal(typeof e.print, 'function', `${name}: a printer`)
  }
})

test('socket verbs and command paths are unique', () => {
  const verbs = COMMANDS.flatMap(e => e.socket === undefined ? [] : [e.socket.verb])
  assert.equal(new Set(verbs).size, verbs.length, verbs.join(' '))
  const paths = COMMANDS.map(e => key(e.path))
  assert.equal(new Set(paths).size, paths.length)
})

test('every schema builds and refuses an argument it does not name, and a non-object', () => {
  for (const e of COMMANDS) {
    if (e.socket === undefined) continue
    const schema = e.socket.schema(z)
    const r = schema.safeParse({ surely_not_an_argument: 1 })
    assert.equal(r.success, false, e.socket.verb)
    assert.match(JSON.stringify(r.error?.issues), /surely_not_an_argument/, e.socket.verb)
    assert.equal(schema.safeParse([]).success, false, e.socket.verb)
  }
})

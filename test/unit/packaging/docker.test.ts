/**
 * docker/ cannot be built here (no Docker engine): check what can be checked without it — every
 * path the Dockerfile copies exists, compose mounts existing files, and every configuration
 * shipped there passes the same validation as `palisade test-config`.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { loadConfig } from '../../../src/config/index.ts'

const ROOT = join(import.meta.dirname, '../../..')
const DOCKER = join(ROOT, 'docker')

test('the Dockerfile copies only what exists and runs the compiled entry point', () => {
  const text = readFileSync(join(DOCKER, 'Dockerfile'), 'utf8')
  const copies = [...text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap(m => m[1].split(/\s+/))
  assert.ok(copies.length > 5)
  for (const src of copies) assert.ok(existsSync(join(ROOT, src)), `COPY ${src}`)
  assert.match(text, /ENTRYPOINT \["\/opt\/palisade\/node_modules\/\.bin\/node", .*"dist\/bin\/palisade\.js"\]/)
  assert.match(text, /npm ci/)
})

test('compose: three nodes with NET_ADMIN only, each mounting a configuration that validates', async () => {
  const compose = parseYaml(readFileSync(join(DOCKER, 'compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { cap_drop: string[], cap_add: string[], volumes: string[] }>
  }
  assert.deepEqual(Object.keys(compose.services).sort(), ['a', 'b', 'c'])
  for (const [name, svc] of Object.entries(compose.services)) {
    assert.deepEqual(svc.cap_drop, ['ALL'])
    assert.deepEqual([...svc.cap_add].sort(), ['NET_ADMIN', 'NET_RAW'])
    const mount = svc.volumes.find(v => v.endsWith(':/etc/palisade/palisade.yml:ro'))
    assert.ok(mount !== undefined, `${name} mounts its configuration`)
    const file = join(DOCKER, mount.split(':')[0])
    const config = await loadConfig(file)
    assert.ok(config.federation !== null, `${name} is federated`)
  }
  await loadConfig(join(DOCKER, 'palisade.yml'))
})

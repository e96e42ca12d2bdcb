import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { chmod, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadIdentity } from '../../../src/federation/identity.ts'
import { publicKeyOf, isEd25519PeerId } from '../../../src/trust/index.ts'
import { verifierKey, verifyWith } from '../../../src/federation/identity.ts'
import { tempDir } from './helpers.ts'

describe('identity', () => {
  test('created at first start with mode 0600, same id on reload', async () => {
    const dir = await tempDir()
    const a = await loadIdentity(dir)
    assert.match(a.id, /^12D3KooW/)
    assert.equal((await stat(join(dir, 'identity.key'))).mode & 0o777, 0o600)
    const b = await loadIdentity(dir)
    assert.equal(b.id, a.id)
  })

  test('refuses a group/other-readable key and says chmod 600', async () => {
    const dir = await tempDir()
    await loadIdentity(dir)
    await chmod(join(dir, 'identity.key'), 0o644)
    await assert.rejects(loadIdentity(dir), (err: any) => err.code === 'PAL_ERR_FED_IDENTITY' && /chmod 600/.test(err.message))
  })

  test('refuses a corrupt key; create: false does not create', async () => {
    const dir = await tempDir()
    await assert.rejects(loadIdentity(dir, { create: false }), { code: 'PAL_ERR_FED_IDENTITY' })
    await writeFile(join(dir, 'identity.key'), 'nonsense', { mode: 0o600 })
    await assert.rejects(loadIdentity(dir), { code: 'PAL_ERR_FED_IDENTITY' })
  })

  test('peer id carries the public key; node:crypto signatures verify with it', async () => {
    const id = await loadIdentity(await tempDir())
    const pub = publicKeyOf(id.id)
    assert.equal(pub?.length, 32)
    const sig = id.sign(Buffer.from('hello'))
    assert.equal(verifyWith(verifierKey(pub!), Buffer.from('hello'), sig), true)
    assert.equal(verifyWith(verifierKey(pub!), Buffer.from('hellO'), sig), false)
    assert.equal(await id.privateKey.publicKey.verify(Buffer.from('hello'), sig), true)
    assert.equal(isEd25519PeerId('QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N'), false) // RSA-style CIDv0 id
    assert.equal(isEd25519PeerId('12D3KooW'), false)
  })
})

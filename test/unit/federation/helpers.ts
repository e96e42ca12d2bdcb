import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createStore, type Store } from '../../../src/store/index.ts'
import type { TrustConfig } from '../../../src/config/types.ts'
import { identityFromKey, type Identity } from '../../../src/federation/identity.ts'

export async function tempDir (prefix = 'pal-fed-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  after(async () => { await rm(dir, { recursive: true, force: true }) })
  return dir
}

/** A real LevelDB in a temp dir, stopped after the test file. */
export async function tempStore (dir?: string): Promise<{ store: Store, path: string }> {
  const path = join(dir ?? await tempDir(), 'db')
  const store = createStore({ path })
  await store.start()
  after(async () => { await store.stop() })
  return { store, path }
}

export async function newIdentity (): Promise<Identity> {
  return identityFromKey(await generateKeyPair('Ed25519'))
}

export function trustConfig (over: Partial<TrustConfig> = {}): TrustConfig {
  return {
    threshold: 2,
    quorum: 2,
    window: 86_400_000,
    banFor: 86_400_000,
    localWeight: 2,
    maxReportsPerPeerPerHour: 1000,
    maxRemoteBans: 100_000,
    honorRetractions: true,
    peers: [],
    ...over
  }
}

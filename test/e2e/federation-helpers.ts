import { after } from 'node:test'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { systemClock } from '../../src/common/clock.ts'
import { CidrSet } from '../../src/common/ip.ts'
import { silentLogger, type Logger } from '../../src/common/logger.ts'
import type { Vote } from '../../src/common/model.ts'
import type { FederationConfig, TrustConfig } from '../../src/config/types.ts'
import { createStore, type Store } from '../../src/store/index.ts'
import { createTrustPolicy, type TrustPolicy } from '../../src/trust/index.ts'
import { createFederation, loadIdentity, type Federation } from '../../src/federation/index.ts'

export interface TestNode {
  name: string
  id: string
  dir: string
  fed: Federation
  store: Store
  trust: TrustPolicy
  votes: Vote[]
  retracts: Array<[string, string]>
  /** resolves when a vote for ip arrives */
  voteFor (ip: string, timeoutMs?: number): Promise<Vote>
  start (): Promise<void>
  stop (): Promise<void>
}

/** Reserve a state dir (and so a key) before start, so nodes can trust each other up front. */
export async function prepare (name: string): Promise<{ name: string, dir: string, id: string }> {
  const dir = await mkdtemp(join(tmpdir(), `pal-e2e-${name}-`))
  after(async () => { await rm(dir, { recursive: true, force: true }) })
  return { name, dir, id: (await loadIdentity(dir)).id }
}

export async function makeNode (p: { name: string, dir: string, id: string }, opts: {
  trusted: string[]
  bootstrap?: string[]
  open?: boolean
  collective?: string
  trust?: Partial<TrustConfig>
  fed?: Partial<FederationConfig>
  logger?: Logger
  /** also hand each vote / retraction to this (a real decision engine) */
  onVote?: (v: Vote) => Promise<void> | void
  onRetract?: (author: string, ip: string) => Promise<void> | void
}): Promise<TestNode> {
  const store = createStore({ path: join(p.dir, 'db') })
  const trust = createTrustPolicy(
    {
      config: {
        threshold: 2,
        quorum: 2,
        window: 86_400_000,
        banFor: 86_400_000,
        localWeight: 2,
        maxReportsPerPeerPerHour: 100_000,
        maxRemoteBans: 100_000,
        honorRetractions: true,
        peers: opts.trusted.map(key => ({ key, weight: 1, shadow: false })),
        ...opts.trust
      }
    },
    { store, clock: systemClock, logger: silentLogger() }
  )
  const votes: Vote[] = []
  const retracts: Array<[string, string]> = []
  const waiters: Array<{ ip: string, resolve: (v: Vote) => void }> = []
  let fed: Federation | undefined
  let running = false
  const node: TestNode = {
    name: p.name,
    id: p.id,
    dir: p.dir,
    get fed () { return fed! },
    store,
    trust,
    votes,
    retracts,
    async voteFor (ip, timeoutMs = 10_000) {
      const have = votes.find(v => v.ip === ip)
      if (have !== undefined) return have
      return await new Promise<Vote>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${p.name}: no vote for ${ip} within ${timeoutMs} ms`)), timeoutMs)
        waiters.push({ ip, resolve: (v) => { clearTimeout(t); resolve(v) } })
      })
    },
    async start () {
      await store.start()
      await trust.start()
      fed = createFederation(
        {
          config: {
            collective: opts.collective ?? 'test',
            listen: ['/ip4/127.0.0.1/tcp/0'],
            bootstrap: opts.bootstrap ?? [],
            open: opts.open ?? false,
            redialInterval: 500,
            maxClockSkew: 60_000,
            ...opts.fed
          },
          trust: {
            threshold: 2,
            quorum: 2,
            window: 86_400_000,
            banFor: 86_400_000,
            localWeight: 2,
            maxReportsPerPeerPerHour: 100_000,
            maxRemoteBans: 100_000,
            honorRetractions: true,
            peers: [],
            ...opts.trust
          },
          stateDir: p.dir,
          allow: () => new CidrSet(['192.0.2.0/24'])
        },
        {
          store,
          trustPolicy: trust,
          clock: systemClock,
          logger: opts.logger ?? silentLogger(),
          onVote: async v => {
            votes.push(v)
            for (const w of waiters.filter(w => w.ip === v.ip)) w.resolve(v)
            await opts.onVote?.(v)
          },
          onRetract: async (a, ip) => {
            retracts.push([a, ip])
            await opts.onRetract?.(a, ip)
          }
        }
      )
      await fed.start()
      running = true
    },
    async stop () {
      if (!running) return
      running = false
      await fed?.stop()
      await store.stop()
    }
  }
  after(async () => { await node.stop() })
  return node
}

/** The first listen address with /p2p/. */
export function addrOf (n: TestNode): string {
  const a = n.fed.addresses().find(x => x.includes('/tcp/'))
  if (a === undefined) throw new Error(`${n.name} has no address`)
  return a.includes('/p2p/') ? a : `${a}/p2p/${n.id}`
}

export async function waitFor (what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

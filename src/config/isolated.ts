import { Worker } from 'node:worker_threads'
import { ConfigInvalidError, palisadeError, type ConfigIssue, type ErrorCode } from '../common/errors.ts'
import type { Config } from './types.ts'
import type { LoadOptions } from './index.ts'
import { deepFreeze } from '../common/freeze.ts'

/**
 * Load and validate a configuration in a short-lived worker thread. The schema library, the YAML
 * parser and every config-time structure live in the worker's heap, which is freed when it
 * exits: the daemon itself never loads them, which keeps ~10 MB out of its resident memory for
 * its whole life. Errors come back as the same typed errors loadConfig throws.
 */
export async function loadConfigIsolated (path: string, options: LoadOptions = {}): Promise<Config> {
  // the sources run as .ts, the shipped build as .js: the worker file has the same extension
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
  const worker = new Worker(new URL(`./worker${ext}`, import.meta.url), { workerData: { path, ext: options.ext ?? [] } })
  try {
    const msg = await new Promise<WorkerReply>((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
      worker.once('exit', code => reject(new Error(`configuration loader exited (${code}) without an answer`)))
    })
    if (msg.ok) return deepFreeze(msg.config)
    if (msg.issues !== undefined) throw new ConfigInvalidError(msg.issues)
    if (msg.code !== undefined) throw palisadeError(msg.code as ErrorCode, msg.message)
    throw new Error(msg.message)
  } finally {
    await worker.terminate()
  }
}

type WorkerReply =
  | { ok: true, config: Config }
  | { ok: false, name: string, message: string, code?: string, issues?: ConfigIssue[] }

/**
 * The worker side of loadConfigIsolated (isolated.ts): load one configuration and post it back.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { ConfigInvalidError, PalisadeError } from '../common/errors.ts'
import { defaultEnv, loadConfig, type JsonnetExtVar } from './index.ts'

const { path, ext } = workerData as { path: string, ext: JsonnetExtVar[] }
try {
  parentPort!.postMessage({ ok: true, config: await loadConfig(path, defaultEnv(), { ext }) })
} catch (err) {
  const e = err as Error
  parentPort!.postMessage({
    ok: false,
    name: e.name,
    message: e.message,
    code: e instanceof PalisadeError ? e.code : undefined,
    issues: e instanceof ConfigInvalidError ? e.issues : undefined
  })
}

import { readdir, readFile, stat } from 'node:fs/promises'
import { extname, join, resolve } from 'node:path'
import { ErrorCodes, palisadeError } from '../common/errors.ts'
import type { Source } from './source.ts'
import { evaluateJsonnet, type JsonnetExtVar, type JsonnetLimits } from './jsonnet.ts'

/**
 * The only part of the loader that touches the disk: a file, or a directory whose configuration
 * files are read in alphanumeric order (names starting with `.` or `_` are skipped, so editors'
 * backups and disabled files stay out). Jsonnet is evaluated by a bounded child (jsonnet.ts).
 */
const FORMATS: Record<string, 'yaml' | 'json' | 'jsonnet'> = {
  '.yml': 'yaml', '.yaml': 'yaml', '.json': 'json', '.jsonnet': 'jsonnet', '.libsonnet': 'jsonnet'
}

async function readOne (
  file: string, limits: JsonnetLimits | undefined, ext: readonly JsonnetExtVar[]
): Promise<Source> {
  const format = FORMATS[extname(file).toLowerCase()]
  if (format === undefined) {
    throw palisadeError(ErrorCodes.CONFIG_READ, `${file}: unknown configuration format (expected .yml, .yaml, .json, .jsonnet or .libsonnet)`)
  }
  if (format === 'jsonnet') return { file, text: await evaluateJsonnet(file, limits, ext), format: 'json', positions: false }
  try {
    return { file, text: await readFile(file, 'utf8'), format }
  } catch (err) {
    throw palisadeError(ErrorCodes.CONFIG_READ, `${file}: cannot read: ${(err as Error).message}`, err)
  }
}

export async function readSources (
  path: string, cwd: string, limits?: JsonnetLimits, ext: readonly JsonnetExtVar[] = []
): Promise<Source[]> {
  const abs = resolve(cwd, path)
  let isDir: boolean
  try {
    isDir = (await stat(abs)).isDirectory()
  } catch (err) {
    throw palisadeError(ErrorCodes.CONFIG_READ, `${abs}: cannot read configuration: ${(err as Error).message}`, err)
  }
  if (!isDir) return [await readOne(abs, limits, ext)]
  const names = (await readdir(abs))
    .filter(n => !n.startsWith('.') && !n.startsWith('_') && FORMATS[extname(n).toLowerCase()] !== undefined)
    // `.libsonnet` files are libraries imported by `.jsonnet` files, not configurations of their own
    .filter(n => extname(n).toLowerCase() !== '.libsonnet')
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
  if (names.length === 0) {
    throw palisadeError(ErrorCodes.CONFIG_READ, `${abs}: no configuration file (.yml, .yaml, .json, .jsonnet) in this directory`)
  }
  const out: Source[] = []
  for (const n of names) out.push(await readOne(join(abs, n), limits, ext))
  return out
}

import type { Issues } from './issues.ts'
import { show } from './issues.ts'
import { locateIn } from './source.ts'
import type { ParsedSource } from './source.ts'

/**
 * The override layer, like fail2ban's jail.local: in a configuration directory, files named
 * `*.local.yml`, `*.local.yaml` or `*.local.json` are read after every base file and override
 * the keys they set, so a packaged default stays untouched and the admin's changes sit apart.
 * Maps are merged key by key (setting `streams.ssh.filters.fail.ban` changes only that value);
 * any other value (a scalar, a list such as `regex` or `start`) replaces the base one whole.
 * Between two local files, the later in alphanumeric order wins. Base files keep their rule: a
 * plain duplicate definition there is still an error (merge.ts).
 */
const LOCAL = /\.local\.(?:ya?ml|json)$/i

export function isLocalFile (file: string): boolean {
  return LOCAL.test(file)
}

/**
 * Apply each local source (by index into `sources`) onto `value`, in order. Returns, for each
 * dotted path a local file set, the index of the file that set it last.
 */
export function applyLocal (value: Record<string, unknown>, sources: readonly ParsedSource[], locals: readonly number[],
  issues: Issues): Map<string, number> {
  const owner = new Map<string, number>()
  for (const si of locals) {
    const v = sources[si].value
    if (!isMap(v)) {
      issues.add([], `expected the configuration to be a map of keys, got ${show(v)}`, { where: locateIn(sources[si], []) })
      continue
    }
    overlay(value, v, [], si, owner)
  }
  return owner
}

function overlay (
  into: Record<string, unknown>,
  from: Record<string, unknown>,
  at: string[],
  si: number,
  owner: Map<string, number>
): void {
  for (const [k, v] of Object.entries(from)) {
    const path = [...at, k]
    const base = into[k]
    if (isMap(v) && isMap(base)) {
      const copy = { ...base }
      into[k] = copy
      overlay(copy, v, path, si, owner)
      continue
    }
    into[k] = v
    owner.set(path.join('.'), si)
  }
}

function isMap (v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

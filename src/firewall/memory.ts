import type { FirewallBan } from './types.ts'
import { UNSCOPED, type ScopeRef } from './scope.ts'

/**
 * What a backend that cannot read its target (command, none) believes is banned. Expired
 * entries disappear from `list`, as a kernel timeout would make them.
 */
export class BanView {
  /** subject → scope key ('' unscoped) → the ban */
  private readonly bans = new Map<string, Map<string, { until: number, scope: ScopeRef }>>()

  set (subject: string, until: number, scope: ScopeRef = UNSCOPED): void {
    let m = this.bans.get(subject)
    if (m === undefined) this.bans.set(subject, (m = new Map()))
    m.set(scope.key, { until, scope })
  }

  /** scope undefined: the subject in every scope */
  delete (subject: string, scope?: ScopeRef): void {
    if (scope === undefined) { this.bans.delete(subject); return }
    const m = this.bans.get(subject)
    m?.delete(scope.key)
    if (m?.size === 0) this.bans.delete(subject)
  }

  /** the scopes the subject is banned in (all of them, or just `scope` if it is one) */
  scopes (subject: string, scope?: ScopeRef): ScopeRef[] {
    const m = this.bans.get(subject)
    if (m === undefined) return []
    if (scope !== undefined) return m.has(scope.key) ? [scope] : []
    return [...m.values()].map(b => b.scope)
  }

  clear (): void { this.bans.clear() }

  list (now: number): FirewallBan[] {
    const out: FirewallBan[] = []
    for (const [subject, m] of this.bans) {
      for (const [key, b] of m) {
        const scope = b.scope.scope
        if (b.until > now) out.push({ subject, until: b.until, ...(scope === undefined ? {} : { scope }) })
        else m.delete(key)
      }
      if (m.size === 0) this.bans.delete(subject)
    }
    return out
  }
}

/** Run `fn` over `items` with at most `limit` in flight; returns the errors, in item order. */
export async function mapLimit<T> (
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>
): Promise<unknown[]> {
  const errors: unknown[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]
      try {
        await fn(item)
      } catch (err) {
        errors.push(err)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return errors
}

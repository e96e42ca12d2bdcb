import type { FirewallBan } from './types.ts'

/**
 * What a backend that cannot read its target (command, none) believes is banned. Expired
 * entries disappear from `list`, as a kernel timeout would make them.
 */
export class BanView {
  private readonly bans = new Map<string, number>()

  set (subject: string, until: number): void { this.bans.set(subject, until) }
  delete (subject: string): boolean { return this.bans.delete(subject) }
  has (subject: string): boolean { return this.bans.has(subject) }
  clear (): void { this.bans.clear() }

  list (now: number): FirewallBan[] {
    const out: FirewallBan[] = []
    for (const [subject, until] of this.bans) {
      if (until > now) out.push({ subject, until })
      else this.bans.delete(subject)
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

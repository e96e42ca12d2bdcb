import type { Logger } from './common/logger.ts'

/**
 * pino fixes a child logger's level when the child is made, and every stage makes its children
 * at construction: a reload that changes `log.level` must reach them too. Children are followed
 * through pino's `onChild` hook (inherited by grandchildren) and held weakly.
 */
export function followLevels (root: Logger): (level: string) => void {
  const children = new Set<WeakRef<Logger>>()
  let prunedAt = 64
  root.onChild = (child: Logger) => {
    children.add(new WeakRef(child))
    if (children.size < prunedAt * 2) return
    for (const r of children) if (r.deref() === undefined) children.delete(r)
    prunedAt = Math.max(64, children.size)
  }
  return level => {
    root.level = level
    for (const r of children) {
      const c = r.deref()
      if (c === undefined) children.delete(r)
      else c.level = level
    }
  }
}

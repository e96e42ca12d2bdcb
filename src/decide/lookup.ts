import { maskIp, parseSubject } from '../common/ip.ts'
import type { Ban, VoteOrigin } from '../common/model.ts'

/**
 * The ban in force on this address: its own, or the narrowest prefix ban that contains it
 * (detection bans `2001:db8:1::/64` when a pattern's ipv6mask is 64, and an admin asking about
 * `2001:db8:1::7` means that ban). One map lookup per prefix length (at most 129), never a scan
 * of every ban: `show ADDR` stays cheap with a million bans.
 */
export function banContaining (get: (key: string) => Ban | undefined, subject: string): Ban | undefined {
  const own = get(subject)
  if (own !== undefined) return own
  const s = parseSubject(subject)
  if (s === null) return undefined
  for (let bits = s.prefixLength - 1; bits >= 0; bits--) {
    const ban = get(maskIp(s.address, bits))
    if (ban !== undefined) return ban
  }
  return undefined
}

export type BansByOrigin = Record<VoteOrigin, number>

export function countByOrigin (bans: Iterable<Ban>): BansByOrigin {
  const n: BansByOrigin = { detect: 0, manual: 0, remote: 0 }
  for (const b of bans) n[b.origin] = (n[b.origin] ?? 0) + 1
  return n
}

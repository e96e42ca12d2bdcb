import { CidrSet, isNeverBan, maskIp, NEVER_BAN_CIDRS, parseSubject, type ParsedSubject } from '../common/ip.ts'

/**
 * Who may never be banned: the configured `allow` list, the never-ban classes (common/ip.ts),
 * and this host's own addresses (refreshed by the daemon). Checked before any vote counts, and
 * mirrored into the kernel allow sets so that not even a bug in this process can ban them.
 */
export class Allowlist {
  private configured: CidrSet
  private own = new CidrSet()

  constructor (allow: readonly string[]) {
    this.configured = new CidrSet(allow)
  }

  setOwnAddresses (addresses: readonly string[]): void {
    this.own = new CidrSet(addresses)
  }

  /** The reason a subject may not be banned, or null when it may be. */
  why (subject: string): 'invalid' | 'allow' | 'never-ban' | 'own-address' | null {
    const p: ParsedSubject | null = parseSubject(subject)
    if (p === null) return 'invalid'
    if (this.configured.has(p)) return 'allow'
    if (isNeverBan(p)) return 'never-ban'
    if (this.own.has(p)) return 'own-address'
    return null
  }

  /**
   * CIDRs for the kernel allow sets: configured, never-ban classes and own addresses, without
   * entries another one covers (nft interval sets refuse overlapping elements). Accepting them
   * in Palisade's chain only exempts them from Palisade's drop rules; the admin's own rules still apply.
   */
  kernelEntries (): string[] {
    const all = [...new Set([...this.configured.entries, ...NEVER_BAN_CIDRS, ...this.own.entries])]
      .map(parseSubject).filter((p): p is ParsedSubject => p !== null)
    return all.filter(p => !all.some(q => q !== p && q.family === p.family && q.prefixLength < p.prefixLength &&
      maskIp(p.address, q.prefixLength) === q.text)).map(p => p.text)
  }

  /** For the federation receive path: everything not bannable, as one set. */
  asCidrSet (): CidrSet {
    return new CidrSet([...this.configured.entries, ...this.own.entries])
  }
}

import { CidrSet, maskIp, NEVER_BAN_CLASSES, neverBanClass, OPTIONAL_NEVER_BAN, parseSubject, type NeverBanClass, type ParsedSubject } from '../common/ip.ts'
import type { Logger } from '../common/logger.ts'
import type { Metrics } from '../control/metrics-types.ts'
import { ipv4Number, V4Ranges } from './allow-v4.ts'

/** which optional never-ban classes stay protected (config `neverBan:`; all true by default) */
export interface NeverBanSettings { private: boolean, cgnat: boolean, ula: boolean }

type Why = 'allow' | NeverBanClass | 'own-address'

/** at most one log line per reason per this many ms, with the count since the last one */
const REFUSED_LOG_EVERY = 60_000

/**
 * Who may never be banned: the configured `allow` list, the never-ban classes (common/ip.ts),
 * and this host's own addresses (refreshed by the daemon). Checked before any vote counts, and
 * mirrored into the kernel allow sets so that not even a bug in this process can ban them.
 */
export class Allowlist {
  private configured: CidrSet
  private own = new CidrSet()
  private classes: ReadonlySet<NeverBanClass> = new Set()
  /** the same answers for a plain IPv4 address, rebuilt whenever a part changes */
  private v4 = new V4Ranges<Why>([])
  private readonly refusedLog = new Map<string, { at: number, count: number }>()

  constructor (allow: readonly string[], neverBan?: NeverBanSettings) {
    this.configured = new CidrSet(allow)
    this.set(allow, neverBan)
  }

  /** the configured part (a reload); own addresses stay */
  set (allow: readonly string[], neverBan: NeverBanSettings = { private: true, cgnat: true, ula: true }): void {
    this.configured = new CidrSet(allow)
    this.classes = new Set((Object.keys(NEVER_BAN_CLASSES) as NeverBanClass[])
      .filter(c => !OPTIONAL_NEVER_BAN.includes(c) || neverBan[c as keyof NeverBanSettings]))
    this.rebuildV4()
  }

  /** in the order `why` tests them: configured, then each enabled class in its listed order, then own */
  private rebuildV4 (): void {
    this.v4 = new V4Ranges<Why>([
      ['allow', this.configured.entries],
      ...(Object.keys(NEVER_BAN_CLASSES) as NeverBanClass[])
        .filter(c => this.classes.has(c)).map(c => [c, NEVER_BAN_CLASSES[c]] as const),
      ['own-address', this.own.entries]
    ])
  }

  /**
   * A match dropped because its address is protected: counted, and logged at most once a minute
   * per reason with how many were dropped, so a LAN client that is never banned is visible.
   */
  refused (why: string, ip: string, now: number, log: Logger, metrics?: Metrics): void {
    metrics?.counter('palisade_decide_protected_total', 'matches dropped because the address is protected', ['why']).inc({ why })
    const r = this.refusedLog.get(why)
    if (r !== undefined && now - r.at < REFUSED_LOG_EVERY) { r.count++; return }
    const dropped = (r?.count ?? 0) + 1
    this.refusedLog.set(why, { at: now, count: 0 })
    log.info({ why, ip, dropped }, `match dropped: ${ip} is protected (${why}); ${dropped} such match${dropped === 1 ? '' : 'es'} since the last note` +
      (OPTIONAL_NEVER_BAN.includes(why as NeverBanClass) ? ` (set \`neverBan: {${why}: false}\` to ban them)` : ''))
  }

  setOwnAddresses (addresses: readonly string[]): void {
    this.own = new CidrSet(addresses)
    this.rebuildV4()
  }

  /** The reason a subject may not be banned, or null when it may be. */
  why (subject: string): 'invalid' | Why | null {
    const n = ipv4Number(subject)
    if (n >= 0) return this.v4.reasonOf(n)
    const p: ParsedSubject | null = parseSubject(subject)
    if (p === null) return 'invalid'
    if (this.configured.has(p)) return 'allow'
    const c = neverBanClass(p, this.classes)
    if (c !== null) return c
    if (this.own.has(p)) return 'own-address'
    return null
  }

  /**
   * CIDRs for the kernel allow sets: configured, never-ban classes and own addresses, without
   * entries another one covers (nft interval sets refuse overlapping elements). Accepting them
   * in Palisade's chain only exempts them from Palisade's drop rules; the admin's own rules still apply.
   */
  kernelEntries (): string[] {
    const classes = [...this.classes].flatMap(c => NEVER_BAN_CLASSES[c])
    const all = [...new Set([...this.configured.entries, ...classes, ...this.own.entries])]
      .map(parseSubject).filter((p): p is ParsedSubject => p !== null)
    return all.filter(p => !all.some(q => q !== p && q.family === p.family && q.prefixLength < p.prefixLength &&
      maskIp(p.address, q.prefixLength) === q.text)).map(p => p.text)
  }

  /** For the federation receive path: everything not bannable, as one set. */
  asCidrSet (): CidrSet {
    return new CidrSet([...this.configured.entries, ...this.own.entries])
  }
}

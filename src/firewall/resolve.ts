import { access, constants } from 'node:fs/promises'
import type { Logger } from '../common/logger.ts'
import type { FirewallBackendName } from '../config/types.ts'

const NFT_PATHS = ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft', '/bin/nft']

/**
 * `backend: auto` (the default): nftables when running as root with `nft` installed; otherwise
 * detect-only, said once at start so that nobody believes they are protected when they are not.
 */
export async function resolveBackend (wanted: FirewallBackendName, logger: Logger): Promise<Exclude<FirewallBackendName, 'auto'>> {
  if (wanted !== 'auto') return wanted
  const root = process.getuid?.() === 0
  let nft = false
  for (const p of NFT_PATHS) {
    try { await access(p, constants.X_OK); nft = true; break } catch {}
  }
  if (root && nft) return 'nftables'
  logger.warn(`firewall: detect-only mode (${root ? 'nft not found: apt install nftables' : 'not running as root'}); bans are recorded, shown and shared but not enforced here`)
  return 'none'
}

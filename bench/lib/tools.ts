import { existsSync } from 'node:fs'
import { exec } from './proc.ts'

/**
 * Debian packages the benchmarks compare against. fail2ban is installed only to run
 * fail2ban-regex: its service is stopped and disabled right away so it never bans on this host
 * (Debian containers usually also refuse the start through policy-rc.d).
 */
export async function ensurePackage (bin: string, pkg: string, log: (s: string) => void): Promise<string | null> {
  if (existsSync(bin)) return null
  log(`installing ${pkg} (apt-get) for ${bin}`)
  const env = { DEBIAN_FRONTEND: 'noninteractive' }
  let r = await exec(['apt-get', 'install', '-y', '--no-install-recommends', pkg], { env }).catch(err => ({ code: 1, stdout: '', stderr: (err as Error).message }))
  if (r.code !== 0) {
    await exec(['apt-get', 'update'], { env }).catch(() => null)
    r = await exec(['apt-get', 'install', '-y', '--no-install-recommends', pkg], { env }).catch(err => ({ code: 1, stdout: '', stderr: (err as Error).message }))
  }
  if (pkg === 'fail2ban') {
    // tolerated to fail: there may be no systemd at all
    await exec(['systemctl', 'stop', 'fail2ban']).catch(() => null)
    await exec(['systemctl', 'disable', 'fail2ban']).catch(() => null)
    await exec(['fail2ban-client', 'stop']).catch(() => null)
  }
  if (r.code !== 0 || !existsSync(bin)) return `cannot install ${pkg}: ${r.stderr.trim().split('\n').pop() ?? 'apt-get failed'}`
  return null
}

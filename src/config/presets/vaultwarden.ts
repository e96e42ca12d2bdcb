import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * Vaultwarden (Bitwarden-compatible server) login failures, after the fail2ban filters in the
 * Vaultwarden wiki. Its log line is `[TIME][MODULE][LEVEL] MESSAGE`; with USE_SYSLOG the
 * `[TIME]` part is replaced by the syslog prefix. The address follows fixed text; the user name
 * (client text) comes after it and is never looked at.
 */
const P = String.raw`${syslogPrefix('vaultwarden')}(?:\[[^\]]*\])?\[vaultwarden::[\w:]+\]\[(?:ERROR|WARN)\] `

const REGEX: string[] = [
  // [2026-11-23 14:09:01.123][vaultwarden::api::identity][ERROR] Username or password is incorrect. Try again. IP: 203.0.113.7. Username: bob@example.com.
  String.raw`${P}Username or password is incorrect\. Try again\. IP: <ip>\. Username:`,
  // [2026-11-23 14:09:01.123][vaultwarden::api::admin][ERROR] Invalid admin token. IP: 203.0.113.7
  String.raw`${P}Invalid admin token\. IP: <ip>\s*$`,
  // [2026-11-23 14:09:01.123][vaultwarden::api::core::two_factor::authenticator][ERROR] Invalid TOTP code! Server time: 2026-11-23 14:09:01 UTC IP: 203.0.113.7
  String.raw`${P}Invalid TOTP code! Server time: [\d-]+ [\d:]+ UTC IP: <ip>\s*$`
]

export const vaultwarden: Preset = {
  name: 'vaultwarden',
  description: 'Vaultwarden failed logins, admin-token and TOTP failures',
  modes: ['normal'],
  defaultMode: 'normal',
  source: { file: '/var/log/vaultwarden/vaultwarden.log', journal: ['_SYSTEMD_UNIT=vaultwarden.service'] },
  filters (): PresetFilter[] {
    return [{ name: 'vaultwarden', regex: REGEX, retry: 3, retryperiod: '4h', ban: '4h' }]
  }
}

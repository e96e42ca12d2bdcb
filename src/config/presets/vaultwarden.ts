import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * Vaultwarden (Bitwarden-compatible server) login failures, every form its source logs with
 * the client address (src/api/identity.rs, src/api/admin.rs, src/api/core/two_factor/*.rs).
 *
 * The line is `[TIME][TARGET][LEVEL] MESSAGE`; with USE_SYSLOG the `[TIME]` part is replaced by
 * the syslog prefix. TARGET is the Rust module (`vaultwarden::api::identity`) since the `err!`
 * macro logs where it is called; versions before that logged the error once, in the responder,
 * under the target `error`. Either way one failed attempt is one line.
 *
 * The address follows fixed text (`IP: `) and comes before the user name or e-mail (client
 * text), which is never looked at; the 2FA and admin forms end with the address (`\s*$`).
 * Not counted: "This user has been disabled", "Please verify your email" (the right password of
 * a real account), rate-limit refusals (no address), 2FA failures that log no address
 * (WebAuthn, YubiKey, Duo, recovery code).
 */
const P = String.raw`${syslogPrefix('vaultwarden')}(?:\[[^\]]*\])?\[(?:vaultwarden::[\w:]+|error)\]\[(?:ERROR|WARN)\] `

const REGEX: string[] = [
  // identity.rs password_login(): err!("Username or password is incorrect. Try again", format!("IP: {}.
  // Username: {username}.", ip.ip))
  // identity.rs (auth requests): "Username or access code is incorrect. Try again. IP: 203.0.113.7. Username: bob@example.com."
  String.raw`${P}Username or (?:password|access code) is incorrect\. Try again\. IP: <ip>\. Username:`,
  // identity.rs user_api_key_login() / organization_api_key_login(): "Incorrect client_secret. IP: 203.0.113.7. Username: bob@example.com."
  String.raw`${P}Incorrect client_secret\. IP: <ip>\. (?:Username|Organization):`,
  // identity.rs: err!("Invalid client_id", format!("IP: {}.", ip.ip)) -> "Invalid client_id. IP: 203.0.113.7."
  String.raw`${P}Invalid client_id\. IP: <ip>\.\s*$`,
  // admin.rs: "Invalid admin token. IP: 203.0.113.7" (some versions end with a period)
  String.raw`${P}Invalid admin token\. IP: <ip>\.?\s*$`,
  // two_factor/authenticator.rs: "Invalid TOTP code! Server time: 2026-11-23 14:09:01 UTC IP: 203.0.113.7"
  String.raw`${P}Invalid TOTP code! Server time: [\d-]+ [\d:]+ UTC IP: <ip>\s*$`,
  // two_factor/email.rs validate_email_code_str(): err!(format!("Token is invalid! IP: {ip}"), …)
  String.raw`${P}Token is invalid! IP: <ip>\s*$`
]

export const vaultwarden: Preset = {
  name: 'vaultwarden',
  description: 'Vaultwarden failed logins, API-key, admin-token, TOTP and e-mail 2FA failures',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: [],
  forms: 'vaultwarden.log or syslog/journal: `[vaultwarden::…][ERROR] … IP: ADDR`, old `[error]` target',
  source: { file: '/var/log/vaultwarden/vaultwarden.log', journal: ['_SYSTEMD_UNIT=vaultwarden.service'] },
  filters (): PresetFilter[] {
    return [{ name: 'vaultwarden', regex: REGEX, retry: 3, retryperiod: '4h', ban: '4h' }]
  }
}

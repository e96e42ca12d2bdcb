import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * Pure-FTPd login failures (fail2ban filter.d/pure-ftpd.conf). pure-ftpd logs through syslog
 * `(USER@ADDR) [WARNING] MSG_AUTH_FAILED_LOG` (src/log_unix.c, src/ftpd.c): before login the
 * user is `?`, and the address comes before the user name the client tried, which ends the
 * line in brackets. The message is translated (src/messages_*.h); the Latin-script languages are
 * listed. With hostname resolution on (no -H) the client is a name: no address to count.
 */
const P = syslogPrefix('pure-ftpd') + String.raw`\((?:\?|[^()@\s]*)@<ip>\) \[WARNING\] `

const FAILED = [
  String.raw`Authentication failed for user \[.*\]`, // en
  String.raw`Authentifizierung fehlgeschlagen für Benutzer \[.*\]\.?`, // de
  String.raw`Erreur d'authentification pour l'utilisateur \[.*\]`, // fr
  String.raw`Autentificación fallida para el usuario \[.*\]`, // es
  String.raw`Autenticazione falita per l'utente \[.*\]`, // it
  String.raw`Autorisatie faalde voor gebruiker \[.*\]`, // nl
  String.raw`Autenticação falhou para usuário \[.*\]`, // pt_BR
  String.raw`Godkendelse mislykkedes for \[.*\]`, // da
  String.raw`Godkjennelse mislyktes for \[.*\]`, // no
  String.raw`Behörighetskontroll misslyckas för användare \[.*\]`, // sv
  String.raw`Autentyfikacja nie powiodła się dla użytkownika \[.*\]`, // pl
  String.raw`Autentifikace uživatele selhala \[.*\]`, // cs
  String.raw`Autentifikacia uzivatela zlyhala \[.*\]`, // sk
  String.raw`Autentificare esuata pentru utilizatorul \[.*\]`, // ro
  String.raw`Azonosítás sikertelen \[.*\] felhasználónak`, // hu
  String.raw`Авторизация не удалась пользователю \[.*\]` // ru
]

export const pureFtpd: Preset = {
  name: 'pure-ftpd',
  description: 'Pure-FTPd authentication failures (messages in 16 languages)',
  modes: ['normal'],
  defaultMode: 'normal',
  fail2ban: ['pure-ftpd'],
  forms: 'syslog/journal "(?@ADDR) [WARNING] Authentication failed for user [USER]"',
  source: { file: '/var/log/syslog', journal: ['_SYSTEMD_UNIT=pure-ftpd.service'] },
  filters (): PresetFilter[] {
    return [{ name: 'pure-ftpd', regex: FAILED.map(m => `${P}${m}\\s*$`), retry: 5, retryperiod: '10m', ban: '1h' }]
  }
}

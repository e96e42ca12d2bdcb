import type { Preset, PresetFilter } from './types.ts'
import { syslogPrefix } from './prefix.ts'

/**
 * Forgejo and Gitea failed sign-ins (no fail2ban filter; the same log line in both, as Forgejo
 * is a Gitea fork): routers/web/auth/auth.go SignInPost() (routers/user/auth.go before Gitea
 * 1.17), the OAuth2 callback and WebAuthn (routers/web/auth/webauthn.go) write
 *   log.Info("Failed authentication attempt for %s from %s: %v", userName, ctx.RemoteAddr(), err)
 * e.g. `2026/11/23 14:09:01 ...ers/web/auth/auth.go:223:SignInPost() [I] Failed authentication
 * attempt for bob from 203.0.113.7:52144: user does not exist [uid: 0, name: bob]`. RemoteAddr
 * is `ADDR:PORT` (`[ADDR]:PORT` for IPv6), only `ADDR` when a trusted reverse proxy set it.
 *
 * The user name (client text) comes before the address and again inside the error after it,
 * so no end anchor can help. The rule: the name is one `\S+` token (a name that can sign in has
 * no space), and nothing after the address may contain ` from `: a name such as
 * `x from 198.51.100.9:1: y` leaves the server's own ` from ADDR` in that error, and the line
 * is not counted. Not counted either: `user is not allowed login` and `user is inactive` (the
 * right password of a blocked or unconfirmed account), and the same words without an error (a
 * signed-in account that was blocked, logged on every page it opens).
 */
const P = String.raw`${syslogPrefix('forgejo|gitea')}(?:\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)? )?(?:\S+:\d+:\S+ )?\[I\] `

const REGEX: string[] = [
  // 2026/11/23 14:09:01 ...ers/web/auth/auth.go:223:SignInPost() [I] Failed authentication attempt for bob from 203.0.113.7:52144: user's password is invalid [uid: 1, name: bob]
  String.raw`${P}Failed authentication attempt for \S+ from \[?<ip>\]?(?::\d+)?(?!.* from ): (?!user is not allowed login|user is inactive)`
]

function preset (name: 'forgejo' | 'gitea', title: string): Preset {
  return {
    name,
    description: `${title} failed sign-ins (password, unknown user, OAuth2, WebAuthn)`,
    modes: ['normal'],
    defaultMode: 'normal',
    fail2ban: [],
    forms: `${name}.log or journal: \`[I] Failed authentication attempt for USER from ADDR:PORT: ERROR\``,
    source: { file: `/var/lib/${name}/log/${name}.log`, journal: [`_SYSTEMD_UNIT=${name}.service`] },
    filters (): PresetFilter[] {
      return [{ name, regex: REGEX, retry: 5, retryperiod: '10m', ban: '1h' }]
    }
  }
}

export const forgejo: Preset = preset('forgejo', 'Forgejo')
/** the same lines under Gitea's name, path and unit */
export const gitea: Preset = preset('gitea', 'Gitea')

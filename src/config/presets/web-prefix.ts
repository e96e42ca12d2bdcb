/**
 * Line shapes shared by the web-server presets (nginx, Apache, Traefik), as regex source text.
 */
import { syslogPrefix } from './prefix.ts'

/**
 * nginx's error.log prefix up to the connection number: `2026/11/23 14:09:01 [error] 1234#1234: *56 `
 * (the `*N` is absent on lines not tied to a connection). Syslog-shipped nginx lines
 * (`error_log syslog:server=…`) put `nginx: ` in front, which the syslog prefix allows.
 */
export const NGINX_ERROR = String.raw`${syslogPrefix('nginx')}\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[[a-z]+\] \d+#\d+: (?:\*\d+ )?`

/**
 * The fixed tail nginx appends to a request's error line, after `, client: ADDRESS`:
 * `, server: NAME, request: "GET /x HTTP/1.1", host: "example.com"` and an optional referrer.
 * Anchored at `$` and built of `\S` runs only: the text before `client:` (user names, decoded
 * paths) is attacker-controlled and may contain a whole forged tail with spaces, so the regex
 * must take the LAST `, client:`. A request line or Referer with a space cannot forge this tail.
 */
export const NGINX_TAIL = String.raw`, server: \S*, request: "[A-Z]+ \S+ HTTP/\d(?:\.\d)?", (?:upstream: "\S*", )?host: "\S*"(?:, referrer: "\S*")?\s*$`

/** Common Log Format timestamp in brackets: `[23/Nov/2026:14:09:01 +0000]` */
export const CLF_TIME = String.raw`\[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]`

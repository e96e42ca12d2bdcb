/** which addresses an IP-typed pattern captures */
export type IpPatternType = 'ip' | 'ipv4' | 'ipv6'

/**
 * Built-in candidate regexes for IP-typed patterns. They only *find* something shaped like an
 * address; node:net validates it afterwards (so `999.1.1.1` is found, then refused).
 *
 * Both ends carry a boundary: without the trailing one, `from 1.2.3.4.5` would yield `1.2.3.4`,
 * and a candidate could stop inside a longer token so that a greedy `.*` in the admin's regex
 * settles on the wrong occurrence. With it, `Failed password for .* from <ip> port \d+` takes
 * the LAST `from ADDRESS port N`, which sshd prints after any user-controlled text.
 */
const V4 = String.raw`\d{1,3}(?:\.\d{1,3}){3}`
const V6 = String.raw`(?:[0-9A-Fa-f]{0,4}:){2,8}(?:${V4}|[0-9A-Fa-f]{1,4})?`
// an IPv4 address may touch a `:port` (Apache's `[client 203.0.113.7:51234]`) or end a
// sentence; an IPv6 one may not touch a colon (it would be part of it), except a last `:PORT`
// before `]`, a space or the end: Apache 2.4 and HAProxy print `2001:db8::7:52144` unbracketed.
// The longest reading is still tried first; the shorter one only serves a regex that asks for
// `<ip>:\d+` after it, which is what makes such a line unambiguous.
const V4_ALONE = String.raw`(?<![0-9A-Za-z.])${V4}(?![0-9A-Za-z]|\.\d)`
// A link-local address may carry its zone (`fe80::1%eth0`, an interface name of at most 15
// characters): found whole, so the text after it still matches; normalizeIp drops the zone.
const V6_ALONE = String.raw`(?<![0-9A-Za-z.:])${V6}(?:%[0-9A-Za-z_.-]{1,15})?(?![0-9A-Za-z%]|:(?!\d{1,5}(?:[\]\s]|$))|\.\d)`

export function builtinIpRegex (type: IpPatternType): string {
  return type === 'ipv4' ? V4_ALONE : type === 'ipv6' ? V6_ALONE : `(?:${V6_ALONE}|${V4_ALONE})`
}

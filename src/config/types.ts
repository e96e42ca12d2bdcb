/**
 * The normalised, validated, deep-frozen configuration every stage reads. Durations are
 * milliseconds, lists are never undefined, defaults are filled in. The loader (load.ts) is
 * the only producer; nothing else parses user input.
 */

export type PatternType = 'ip' | 'ipv4' | 'ipv6'

export interface PatternConfig {
  name: string
  /**
   * the regex source substituted for `<name>` (without a capture group of its own; the filter
   * compiler wraps it in a named group). For IP-typed patterns without an explicit regex this
   * is Palisade's built-in IPv4/IPv6 candidate regex; the capture is then validated with node:net.
   */
  regex: string
  /** set for IP patterns: captured text is validated, normalised and masked */
  type?: PatternType
  /** exact values never counted (IPs are normalised before comparison) */
  ignore: string[]
  /** a captured value fully matching one of these is not counted */
  ignoreregex: string[]
  /** for IP patterns: captures inside these CIDRs are not counted */
  ignorecidr: string[]
  /** mask applied to IPv4 captures (32 = the address itself) */
  ipv4mask: number
  /** mask applied to IPv6 captures (128 = the address itself; 64 bans the /64) */
  ipv6mask: number
}

export interface ActionConfig {
  /** `stream.filter.action` */
  id: string
  name: string
  /** argv; `<pattern>` tokens inside elements are substituted with validated values; empty for a virtual action */
  cmd: string[]
  /**
   * reaction's virtual action: the `send` line (with `<pattern>` tokens substituted) is written
   * into the `type: virtual` stream `to` instead of running a command
   */
  virtual?: { send: string, to: string }
  /** delay after the trigger, ms (0 = at once) */
  after: number
  /** run this pending `after` action at daemon stop instead of dropping it */
  onexit: boolean
  /** not replayed at restart for triggers that happened before (reaction's oneshot) */
  oneshot: boolean
  ipv4only: boolean
  ipv6only: boolean
}

export type DuplicatePolicy = 'extend' | 'ignore' | 'rerun'

export interface FilterConfig {
  /** `stream.filter` */
  id: string
  stream: string
  name: string
  /** regexes as written, `<pattern>` placeholders intact */
  regex: string[]
  /** pattern names used by this filter, in first-appearance order */
  patterns: string[]
  /** matches needed within retryperiod; 1 = trigger on the first match */
  retry: number
  /** ms; 0 when retry is 1 */
  retryperiod: number
  duplicate: DuplicatePolicy
  actions: ActionConfig[]
  /** firewall ban duration (ms) from the `ban:` shorthand; 0 = no firewall ban, actions only */
  ban: number
  /** publish this filter's bans to the collective */
  share: boolean
  /** the ports/protocols its bans drop (`ports:` / `protocol:`); absent = every port and protocol */
  scope?: BanScope
  /** preset name and mode when the filter came from a preset (for `test-config` output) */
  preset?: string
  /**
   * Multi-line attribution (fail2ban's per-connection linking): lines carrying the same
   * connection id are linked, so a filter regex without `<ip>` is attributed to the IP an
   * earlier line of the same connection named.
   */
  link?: LinkConfig
}

export type PortProtocol = 'tcp' | 'udp' | 'sctp'

/** Which traffic of a banned address is dropped (src/config/ports.ts builds it, src/firewall/scope.ts names it). */
export interface BanScope {
  /** sorted, at least one */
  protocols: PortProtocol[]
  /** inclusive [low, high] ranges, sorted and merged; empty = every port of those protocols */
  ports: Array<[number, number]>
}

export interface LinkConfig {
  /** regex with a named group `id` (e.g. `sshd(?:-session)?\[(?<id>\d+)\]`) found in every linked line */
  id: string
  /** regexes with `<ip>` (or another pattern) that bind an id to its values (`Connection from <ip> port`) */
  from: string[]
  /** ms an id stays bound after its last line */
  ttl: number
}

export type StreamSource =
  | { kind: 'command' }
  /**
   * followed in-process with a checkpoint (device, inode, offset, first-KiB hash); when
   * `orJournal` is set and the file does not exist at start, the journal is read instead
   * (the shipped default: /var/log/auth.log, else journald)
   */
  | { kind: 'file', path: string, orJournal?: string[], syslogForm?: boolean }
  /**
   * journalctl -o json --follow, resumed after the stored cursor. `syslogForm` (streams with a preset):
   * each entry reaches the filters as syslog writes it, `IDENT[PID]: MESSAGE`, so that a preset's
   * per-connection attribution (`link`, keyed by the pid) works from the journal too
   */
  | { kind: 'journal', matches: string[], syslogForm?: boolean }
  /** reaction's `type: virtual`: fed by the virtual actions of other filters (src/detect/virtual-source.ts) */
  | { kind: 'virtual' }

export interface StreamConfig {
  name: string
  /** argv of the command for `kind: command`; the equivalent command for file/journal (for display) */
  cmd: string[]
  source: StreamSource
  filters: FilterConfig[]
}

/** 'auto' (the default): nftables when root and `nft` exists, else none with one warning; resolved by the daemon */
export type FirewallBackendName = 'auto' | 'nftables' | 'iptables' | 'command' | 'none'
export type Hook = 'input' | 'forward'

export interface FirewallConfig {
  backend: FirewallBackendName
  hooks: Hook[]
  /** leave the table (and its bans) in the kernel when the daemon stops */
  keepOnStop: boolean
  /** ms between kernel-vs-store reconciliations */
  reconcileInterval: number
  /** nftables table name (inet family) / ipset and chain name prefix for iptables */
  table: string
  /** command backend: argv with `<ip>` and `<timeout>` (seconds) substituted */
  command: { ban: string[], unban: string[] }
}

export interface EscalationConfig {
  /** each repeat offence multiplies the previous ban by this */
  factor: number
  /** ms cap */
  max: number
  /** ms: how long an offence is remembered for escalation after its ban ends */
  remember: number
}

export interface FederationConfig {
  collective: string
  listen: string[]
  bootstrap: string[]
  /** false: only trusted peers may connect */
  open: boolean
  /** optional path to a libp2p pnet pre-shared key file */
  psk?: string
  /** ms between redials of disconnected trusted members */
  redialInterval: number
  /** max accepted clock skew of an observation's time, ms */
  maxClockSkew: number
}

export interface TrustPeerConfig {
  key: string
  name?: string
  weight: number
  shadow: boolean
}

export interface TrustConfig {
  threshold: number
  quorum: number
  /** ms: votes older than this no longer count */
  window: number
  /** ms: local ban duration for a decision made by remote votes */
  banFor: number
  /** weight of this node's own detections (default = threshold: a local detection bans alone) */
  localWeight: number
  maxReportsPerPeerPerHour: number
  maxRemoteBans: number
  honorRetractions: boolean
  /** remote bans of wider IPv4 / IPv6 prefixes are refused (defaults 24 and 48; optional for callers built in code) */
  minPrefix4?: number
  minPrefix6?: number
  peers: TrustPeerConfig[]
}

export interface FeedConfig {
  /** host:port for GET /blocklist.txt /blocklist.json /blocklist.nft /metrics */
  listen: string
  /** when set (or read from tokenFile at start), every request needs `Authorization: Bearer <token>` */
  token?: string
  tokenFile?: string
}

export interface LimitsConfig {
  /** distinct (filter, key) counters kept before the oldest are evicted */
  maxTrackedKeys: number
  /** log lines longer than this are cut (bytes) */
  maxLineBytes: number
  /** an action still running after this long is killed and reported, ms (default 60 s) */
  actionTimeout?: number
}

export interface Config {
  /** files the configuration was read from, in merge order */
  files: string[]
  /** state directory (reaction: state_directory) */
  state: string
  socket: string
  /** max actions running at once (reaction: concurrency); negative = unlimited */
  concurrency: number
  patterns: Record<string, PatternConfig>
  streams: Record<string, StreamConfig>
  start: string[][]
  stop: string[][]
  firewall: FirewallConfig
  /** never banned, whatever any vote says (CIDRs or addresses, normalised) */
  allow: string[]
  /**
   * which optional never-ban classes stay protected (all by default); loopback, link-local,
   * unspecified, multicast and this host's addresses always are. Optional for configurations built in code.
   */
  neverBan?: { private: boolean, cgnat: boolean, ula: boolean }
  escalation: EscalationConfig | null
  federation: FederationConfig | null
  trust: TrustConfig
  feed: FeedConfig | null
  limits: LimitsConfig
  log: { level: string, format: 'auto' | 'json' | 'text' }
  /**
   * what the loader made of keys with no exact Palisade equivalent (reaction's plugins, ignored
   * keys), one line each, for test-config; optional for configurations built in code
   */
  notes?: string[]
}

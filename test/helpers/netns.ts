import { spawn } from 'node:child_process'

/**
 * Network namespaces for e2e tests: everything that touches nft/iptables/ipset/addresses runs in
 * a namespace the test creates, so the host's own firewall and routes are never changed.
 *
 * ```ts
 * const ns = await createNetns('fw')
 * after(() => ns.remove())                     // register cleanup right after creation
 * await ns.exec(['nft', 'list', 'ruleset'])
 * const [a, b] = [ns, await createNetns('peer')]
 * await createVethPair(a, b, '10.200.1.1/24', '10.200.1.2/24')
 * ```
 * Use private ranges (10.200.x.y, fd00::/8) — they exist only inside the namespaces.
 */
export interface ExecResult { stdout: string, stderr: string, code: number }

export interface Netns {
  /** `pal-<prefix>-<pid>-<n>` */
  readonly name: string
  /** run argv inside the namespace (`ip netns exec NAME …`); never rejects on a non-zero exit */
  exec (argv: readonly string[], stdin?: string): Promise<ExecResult>
  /** delete the namespace; safe to call twice */
  remove (): Promise<void>
}

/** Run argv on the host (no shell); resolves with the exit code instead of rejecting. */
export function run (argv: readonly string[], stdin?: string, env?: NodeJS.ProcessEnv): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    child.stdin.on('error', () => {})
    child.on('error', reject)
    child.on('close', code => resolve({ stdout, stderr, code: code ?? -1 }))
    child.stdin.end(stdin ?? '')
  })
}

async function must (argv: readonly string[]): Promise<string> {
  const r = await run(argv)
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code}): ${r.stderr.trim()}`)
  return r.stdout
}

let counter = 0 // test-process-local name counter; names also carry the pid

export async function createNetns (prefix: string): Promise<Netns> {
  const name = `pal-${prefix}-${process.pid}-${counter++}`
  await must(['ip', 'netns', 'add', name])
  let removed = false
  const ns: Netns = {
    name,
    exec: (argv, stdin) => run(['ip', 'netns', 'exec', name, ...argv], stdin),
    async remove () {
      if (removed) return
      removed = true
      // processes still inside keep the namespace alive after `ip netns del`; that is fine for tests
      await run(['ip', 'netns', 'del', name])
    }
  }
  try {
    await must(['ip', '-n', name, 'link', 'set', 'lo', 'up'])
  } catch (err) {
    await ns.remove()
    throw err
  }
  return ns
}

/**
 * Link two namespaces with a veth pair and give each end its addresses (CIDR notation, IPv4
 * and/or IPv6: `['10.200.1.1/24', 'fd00:200:1::1/64']`). IPv6 DAD is disabled so addresses are
 * usable at once.
 */
export async function createVethPair (
  a: Netns,
  b: Netns,
  addrA: string | readonly string[],
  addrB: string | readonly string[]
): Promise<void> {
  const id = `${process.pid % 100000}${counter++}`
  const ifA = `pva${id}`.slice(0, 15)
  const ifB = `pvb${id}`.slice(0, 15)
  await must(['ip', 'link', 'add', ifA, 'netns', a.name, 'type', 'veth', 'peer', 'name', ifB, 'netns', b.name])
  for (const [ns, ifname, addrs] of [
    [a, ifA, addrA],
    [b, ifB, addrB]
  ] as const) {
    await must(['ip', 'netns', 'exec', ns.name, 'sysctl', '-qw', `net.ipv6.conf.${ifname}.accept_dad=0`])
    for (const addr of typeof addrs === 'string' ? [addrs] : addrs) {
      await must(['ip', '-n', ns.name, 'addr', 'add', addr, 'dev', ifname, ...(addr.includes(':') ? ['nodad'] : [])])
    }
    await must(['ip', '-n', ns.name, 'link', 'set', ifname, 'up'])
  }
}

/** Add an address to an interface inside a namespace (`lo` by default). */
export async function addAddress (ns: Netns, cidr: string, dev = 'lo'): Promise<void> {
  await must(['ip', '-n', ns.name, 'addr', 'add', cidr, 'dev', dev, ...(cidr.includes(':') ? ['nodad'] : [])])
}

const SERVER = `
const net = require('node:net')
const s = net.createServer(c => { c.on('error', () => {}); c.end('hi') })
s.listen(0, process.argv[1], () => { process.stdout.write(String(s.address().port) + '\\n') })
process.stdin.on('end', () => process.exit(0)); process.stdin.resume()
`

const CLIENT = `
const net = require('node:net')
const [host, port, localAddress, ms] = process.argv.slice(1)
const c = net.connect({ host, port: Number(port), localAddress: localAddress || undefined })
const t = setTimeout(() => { process.stdout.write('timeout'); process.exit(0) }, Number(ms))
c.on('connect', () => { clearTimeout(t); process.stdout.write('connected'); c.destroy(); process.exit(0) })
c.on('error', e => { clearTimeout(t); process.stdout.write('error ' + e.code); process.exit(0) })
`

/** A TCP server inside a namespace on `host` (port chosen by the kernel); close() ends it. */
export async function startTcpServer (ns: Netns, host: string): Promise<{ port: number, close (): void }> {
  const child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, '-e', SERVER, host], { stdio: ['pipe', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8').once('data', (d: string) => resolve(Number(d.trim())))
    child.once('error', reject)
    child.once('exit', code => reject(new Error(`tcp server in ${ns.name} exited (${code})`)))
  })
  return { port, close: () => { child.stdin.end(); child.kill() } }
}

/** Try a TCP connect from inside a namespace; 'connected', 'timeout' or 'error CODE'. */
export async function tcpConnect (
  ns: Netns,
  host: string,
  port: number,
  opts: { from?: string; timeoutMs?: number } = {}
): Promise<string> {
  const r = await ns.exec([
    process.execPath,
    '-e',
    CLIENT,
    host,
    String(port),
    opts.from ?? '',
    String(opts.timeoutMs ?? 1000)
  ])
  return r.stdout.trim()
}

/**
 * A switch for multi-node tests: a namespace holding a Linux bridge; `attach` plugs another
 * namespace into it with a veth pair and gives that end its address (one host per namespace).
 */
export async function createBridge (ns: Netns): Promise<{ attach (node: Netns, cidr: string): Promise<void> }> {
  await must(['ip', '-n', ns.name, 'link', 'add', 'br0', 'type', 'bridge'])
  await must(['ip', '-n', ns.name, 'link', 'set', 'br0', 'up'])
  return {
    async attach (node, cidr) {
      const id = `${process.pid % 100000}${counter++}`
      const inner = `pvn${id}`.slice(0, 15)
      const port = `pvp${id}`.slice(0, 15)
      await must(['ip', 'link', 'add', inner, 'netns', node.name, 'type', 'veth', 'peer', 'name', port, 'netns', ns.name])
      await must(['ip', '-n', ns.name, 'link', 'set', port, 'master', 'br0'])
      await must(['ip', '-n', ns.name, 'link', 'set', port, 'up'])
      await must(['ip', '-n', node.name, 'addr', 'add', cidr, 'dev', inner, ...(cidr.includes(':') ? ['nodad'] : [])])
      await must(['ip', '-n', node.name, 'link', 'set', inner, 'up'])
    }
  }
}

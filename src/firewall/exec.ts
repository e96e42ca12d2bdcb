import { spawn } from 'node:child_process'
import { ErrorCodes, palisadeError } from '../common/errors.ts'

/**
 * Runs the firewall tools (nft, ipset, iptables) as argv arrays, never through a shell, with the
 * script on stdin. Inside a test namespace the argv is prefixed with `ip netns exec NAME`, so a
 * test can never touch the host's ruleset by forgetting a flag.
 */
export interface ToolResult { stdout: string, stderr: string }

export interface ToolOptions {
  netns?: string
  stdin?: string
  /**
   * told the tool's pid (`ip netns exec` execs in place: the same pid), e.g. to recognise our own changes in
   * `nft monitor`
   */
  onSpawn?: (pid: number) => void
}

/** Debian package that ships each tool, for the "not found" hint. */
const PACKAGES: Record<string, string> = {
  nft: 'nftables',
  ipset: 'ipset',
  iptables: 'iptables',
  ip6tables: 'iptables',
  'iptables-restore': 'iptables',
  'ip6tables-restore': 'iptables',
  ip: 'iproute2'
}

function unavailable (tool: string): Error {
  return palisadeError(ErrorCodes.FW_UNAVAILABLE, `${tool} not found: apt install ${PACKAGES[tool] ?? tool}`)
}

function firstLines (text: string, n = 5): string {
  return text.split('\n').filter(l => l.trim() !== '').slice(0, n).join('\n')
}

/** Run `tool args…`; rejects with PAL_ERR_FW_UNAVAILABLE or PAL_ERR_FW_COMMAND_FAILED. */
export async function runTool (tool: string, args: readonly string[], opts: ToolOptions = {}): Promise<ToolResult> {
  const argv = opts.netns === undefined ? [tool, ...args] : ['ip', 'netns', 'exec', opts.netns, tool, ...args]
  return await new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] })
    if (child.pid !== undefined) opts.onSpawn?.(child.pid)
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    // the tool may exit before reading all of stdin (syntax error): EPIPE is reported via its exit code
    child.stdin.on('error', () => {})
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(e.code === 'ENOENT' ? unavailable(argv[0]) : palisadeError(ErrorCodes.FW_COMMAND_FAILED, `${tool}: ${e.message}`, e))
    })
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8')
      const stderr = Buffer.concat(err).toString('utf8')
      if (code === 0) { resolve({ stdout, stderr }); return }
      // `ip netns exec` reports a missing binary itself, with exit code 255
      if (opts.netns !== undefined && /exec of "[^"]*" failed: No such file/.test(stderr)) {
        reject(unavailable(tool))
        return
      }
      const why = signal === null ? `exit code ${String(code)}` : `signal ${signal}`
      reject(palisadeError(ErrorCodes.FW_COMMAND_FAILED,
        `${tool} ${args.slice(0, 3).join(' ')} failed (${why}): ${firstLines(stderr)}`))
    })
    child.stdin.end(opts.stdin ?? '')
  })
}

/** True when a failure says the object (table, set, chain) does not exist. */
export function isMissing (err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err)
  return /No such file or directory|does not exist|No chain\/target\/match by that name|Bad rule/.test(msg)
}

import { createHash, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { ErrorCodes, palisadeError } from '../common/errors.ts'
import { checkHooks, checkTableName } from '../firewall/ops.ts'
import type { NftForm } from './feed.ts'

/** HTTP details of the feed: conditional requests, encodings, the bearer token, the nft query. */

/**
 * true when `If-None-Match` names the body's tag (weakly compared, as RFC 9110 asks for this
 * header, and with or without the gzip suffix: both encodings carry one text) or is `*`
 */
export function etagMatches (header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  const want = etag.slice(1, -1)
  for (let tag of header.split(',')) {
    tag = tag.trim()
    if (tag === '*') return true
    if (tag.startsWith('W/')) tag = tag.slice(2)
    tag = tag.replace(/^"|"$/g, '').replace(/-gz$/, '')
    if (tag === want) return true
  }
  return false
}

/** gzip named in Accept-Encoding with a q above 0 (`gzip;q=0` refuses it) */
export function acceptsGzip (header: string | undefined): boolean {
  if (header === undefined) return false
  for (const part of header.toLowerCase().split(',')) {
    const [coding, ...params] = part.trim().split(';').map(x => x.trim())
    if (coding !== 'gzip' && coding !== 'x-gzip') continue
    const q = params.find(p => p.startsWith('q='))
    return q === undefined || Number(q.slice(2)) > 0
  }
  return false
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

/** `Authorization: Bearer <token>` compared in constant time (over digests, so lengths do not leak either) */
export function bearerMatches (header: string | undefined, token: string): boolean {
  const m = /^Bearer +(\S+) *$/i.exec(header ?? '')
  return timingSafeEqual(digest(m === null ? '' : m[1]), digest(token)) && m !== null
}

/**
 * `?hooks=input,forward` (the enforcing table) or `?form=sets&table=NAME` (sets for an include); an error text
 * for bad input
 */
export function nftForm (q: URLSearchParams): NftForm | string {
  try {
    const form = q.get('form') ?? 'table'
    if (form === 'sets') return { form: 'sets', table: checkTableName(q.get('table') ?? 'filter') }
    if (form !== 'table') return `form: ${JSON.stringify(form)} is neither table nor sets`
    const hooks = (q.get('hooks') ?? 'input').split(',').filter(h => h !== '')
    return { form: 'table', hooks: checkHooks(hooks) }
  } catch (err) {
    return (err as Error).message
  }
}

/** The token of `feed.token` or `feed.tokenFile` (read at start, trimmed), or undefined for none. */
export function feedToken (cfg: { token?: string, tokenFile?: string }): string | undefined {
  if (cfg.token !== undefined) return checkToken(cfg.token, 'feed.token')
  if (cfg.tokenFile === undefined) return undefined
  let text: string
  try { text = readFileSync(cfg.tokenFile, 'utf8') } catch (err) {
    throw palisadeError(ErrorCodes.CONFIG_INVALID, `feed.tokenFile: cannot read ${cfg.tokenFile}: ${(err as Error).message}`)
  }
  return checkToken(text.trim(), `feed.tokenFile (${cfg.tokenFile})`)
}

function checkToken (t: string, where: string): string {
  if (!/^[\x21-\x7e]{16,512}$/.test(t)) throw palisadeError(ErrorCodes.CONFIG_INVALID, `${where}: a token is 16 to 512 printable characters without spaces`)
  return t
}

/** true for 127.0.0.0/8, ::1 and localhost */
export function isLoopbackHost (host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host)
}

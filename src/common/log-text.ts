/**
 * pino's JSON line → one readable line for a terminal:
 *   14:09:01.123 WARN  detect ssh: file stream failed path=/var/log/auth.log err="EACCES: …"
 */
const NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' }
const SKIP = new Set(['level', 'time', 'msg', 'component', 'stream', 'filter'])

export function formatLine (json: string): string {
  let o: Record<string, unknown>
  try {
    o = JSON.parse(json) as Record<string, unknown>
  } catch {
    return json
  }
  const t = typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11, 23) : ''
  const where = [o.component, o.stream, o.filter].filter(x => typeof x === 'string').join(' ')
  const rest = Object.entries(o).filter(([k]) => !SKIP.has(k)).map(([k, v]) => `${k}=${value(v)}`).join(' ')
  const level = NAMES[Number(o.level)] ?? String(o.level)
  return `${t} ${level} ${where === '' ? '' : where + ': '}${String(o.msg ?? '')}${rest === '' ? '' : ' ' + rest}\n`
}

function value (v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) ? JSON.stringify(v) : v
  if (v !== null && typeof v === 'object' && 'message' in v && typeof (v as { message: unknown }).message === 'string') {
    return JSON.stringify((v as { message: string }).message)
  }
  return JSON.stringify(v)
}

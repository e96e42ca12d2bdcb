/**
 * fail2ban's time values (MyTime.str2seconds): a number of seconds, or terms such as `10m`,
 * `1h 30m`, `2d`, `1w`, `1mo`, `1y`, `5 minutes`; `-1` means forever.
 * Returns seconds, `Infinity` for a negative value, or null when the text is not a time.
 */
const UNITS: Array<[RegExp, number]> = [
  [/^y(?:ears?)?$/, 365.2425 * 86_400],
  [/^mo(?:nths?)?$/, 30.436875 * 86_400],
  [/^w(?:eeks?)?$/, 7 * 86_400],
  [/^d(?:ays?)?$/, 86_400],
  [/^h(?:ours?)?$/, 3600],
  [/^m(?:in(?:utes?)?)?$/, 60],
  [/^s(?:ec(?:onds?)?)?$/, 1]
]

export function fail2banSeconds (text: string): number | null {
  const t = text.trim().toLowerCase()
  if (/^-\d+(?:\.\d+)?$/.test(t)) return Infinity
  if (/^\d+(?:\.\d+)?$/.test(t)) return Number(t)
  const terms = t.match(/\d+(?:\.\d+)?\s*[a-z]+/g)
  if (terms === null || terms.join('').replace(/\s/g, '') !== t.replace(/\s/g, '')) return null
  let total = 0
  for (const term of terms) {
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/.exec(term)!
    const unit = UNITS.find(([re]) => re.test(m[2]))
    if (unit === undefined) return null
    total += Number(m[1]) * unit[1]
  }
  return total
}

/** seconds → the shortest Palisade duration text (`90m` → `1h30m`) */
export function palisadeDuration (seconds: number): string {
  let s = Math.round(seconds)
  if (s <= 0) return '1s'
  const parts: string[] = []
  for (const [unit, n] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (s >= n) { parts.push(`${Math.floor(s / n)}${unit}`); s %= n }
  }
  return parts.join('')
}

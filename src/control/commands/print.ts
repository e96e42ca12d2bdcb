/**
 * Helpers the printers share. Rows in aligned columns (the last one not padded), under a header
 * when printing to a terminal: a script reading a pipe gets the rows alone, one a line.
 */
export function table (
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  withHeader = process.stdout.isTTY === true
): string {
  const all = withHeader ? [header, ...rows] : rows
  if (all.length === 0) return ''
  const widths = header.map((_h, i) => Math.max(...all.map(r => (r[i] ?? '').length)))
  return all
    .map(r => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd())
    .join('\n')
}

export const indent = (text: string): string => text.split('\n').map(l => '  ' + l).join('\n')

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/** a key of several pattern values is tab-separated; shown with spaces */
export const shownKey = (key: string): string => key.replaceAll('\t', ' ')

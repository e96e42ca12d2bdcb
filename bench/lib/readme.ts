import { readFile, writeFile } from 'node:fs/promises'

export const START = '<!-- bench:start -->'
export const END = '<!-- bench:end -->'

/** Replace what lies between the bench markers of the README; everything else stays byte for byte. */
export async function writeReadmeBlock (readmePath: string, body: string): Promise<void> {
  const text = await readFile(readmePath, 'utf8')
  const a = text.indexOf(START)
  const b = text.indexOf(END)
  if (a === -1 || b === -1 || b < a) throw new Error(`${readmePath}: markers ${START} … ${END} not found`)
  await writeFile(readmePath, text.slice(0, a + START.length) + '\n' + body.trim() + '\n' + text.slice(b))
}

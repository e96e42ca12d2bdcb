/**
 * Wait for a condition that a real child process or socket makes true. This is not time logic
 * (that uses ManualClock): it bounds how long we wait for another process, and fails loudly.
 */
export async function waitFor<T> (
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 10_000
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await probe()
      if (v !== undefined && v !== null && v !== false) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last !== undefined ? `: ${String(last)}` : ''}`
      )
    }
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

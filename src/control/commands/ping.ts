import { command } from './types.ts'

/** a liveness probe for scripts and tests: no command line */
export const ping = command<Record<string, never>, { pid: number }>({
  socket: { verb: 'ping', schema: z => z.strictObject({}), handle: async () => ({ pid: process.pid }) }
})

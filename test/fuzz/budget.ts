/**
 * How many cases each fuzz target runs. `npm test` runs each target's own default, tuned so the
 * whole fuzz suite stays under a minute on a 2-core machine; `npm run fuzz` (run.ts) sets
 * PALISADE_FUZZ_RUNS for every target, and PALISADE_FUZZ_SEED to replay a failure.
 */
export function fuzzOptions (defaultRuns: number): { numRuns: number, seed?: number } {
  const runs = Number(process.env.PALISADE_FUZZ_RUNS ?? defaultRuns)
  const seed = process.env.PALISADE_FUZZ_SEED
  return {
    numRuns: Number.isSafeInteger(runs) && runs > 0 ? runs : defaultRuns,
    ...(seed === undefined ? {} : { seed: Number(seed) })
  }
}

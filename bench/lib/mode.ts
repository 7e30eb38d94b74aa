/**
 * Quick mode (CI): counts and sizes scaled down about tenfold. Set by `BENCH_QUICK=1` or a
 * `--quick` argument; `bench/run.ts` passes it on to every script as `BENCH_QUICK=1`.
 */
export function isQuick(): boolean {
  return process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');
}

/** `full` normally, `quick` in quick mode. */
export function pick<T>(full: T, quick: T): T {
  return isQuick() ? quick : full;
}

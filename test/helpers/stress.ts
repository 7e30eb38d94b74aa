/**
 * Counts for the stress tests. The full counts run on the Node that `npm test` uses (20 in
 * CI); `scripts/test-other-nodes.mjs` sets `SRE_KIT_STRESS=light` for the runs on Node 22
 * and 24, which are there to show the suite works on those versions, so that the three
 * runs fit CI's time. Every test still runs there, with `light` repetitions.
 */
export function stressCount(full: number, light: number): number {
  return process.env.SRE_KIT_STRESS === 'light' ? light : full;
}

/**
 * The value at quantile `q` (0 to 1) of `samples`, interpolating linearly between the two
 * nearest ranks (the same definition as numpy's default). NaN for no samples.
 */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (sorted.length - 1) * q;
  const low = sorted[Math.floor(rank)]!;
  const high = sorted[Math.ceil(rank)]!;
  return low + (high - low) * (rank - Math.floor(rank));
}

/** The median of `samples`. */
export function median(samples: readonly number[]): number {
  return percentile(samples, 0.5);
}

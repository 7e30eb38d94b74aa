/** What one contender produced over all rounds, or why it stopped. */
export interface Measured<T> {
  outcomes: T[];
  /** The first failure; a contender that failed is not run again. */
  error?: string;
}

/**
 * Measures every contender once per round, rotating the order each round so that a machine
 * getting busier or quieter during the run is spread over all of them, not charged to one.
 * A failure is recorded against its contender and the others go on.
 */
export async function interleave<Name extends string, T>(
  names: readonly Name[],
  rounds: number,
  measure: (name: Name, round: number) => Promise<T>,
): Promise<Map<Name, Measured<T>>> {
  const results = new Map<Name, Measured<T>>(names.map((name) => [name, { outcomes: [] }]));
  for (let round = 0; round < rounds; round++) {
    const shift = round % names.length;
    for (const name of [...names.slice(shift), ...names.slice(0, shift)]) {
      const measured = results.get(name)!;
      if (measured.error !== undefined) continue;
      try {
        measured.outcomes.push(await measure(name, round));
      } catch (error) {
        measured.error = error instanceof Error ? error.message : String(error);
      }
    }
  }
  return results;
}

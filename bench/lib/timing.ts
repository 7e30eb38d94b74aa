/** Something to time: one call of the thing measured. */
export type Call = () => Promise<unknown>;

/**
 * Calls `call` `count` times one after the other and returns each call's duration in ms.
 * Stops early (fewer samples) once `performance.now()` passes `deadline`.
 */
export async function timeSequential(call: Call, count: number, deadline: number): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < count && performance.now() < deadline; index++) {
    const start = performance.now();
    await call();
    samples.push(performance.now() - start);
  }
  return samples;
}

/**
 * Makes `count` calls in batches of `batchSize` started together, and returns per batch its
 * duration divided by the batch size: the time one call costs when `batchSize` run at once.
 * Stops early once `performance.now()` passes `deadline`.
 */
export async function timeBatches(
  call: Call,
  count: number,
  batchSize: number,
  deadline: number,
): Promise<number[]> {
  const samples: number[] = [];
  for (let done = 0; done < count && performance.now() < deadline; done += batchSize) {
    const size = Math.min(batchSize, count - done);
    const start = performance.now();
    await Promise.all(Array.from({ length: size }, () => call()));
    samples.push((performance.now() - start) / size);
  }
  return samples;
}

/**
 * Hands out the items of an async generator of batches one at a time. An item of the
 * current batch costs one resolved promise; an async generator's `yield` costs about twice
 * that, and lines() and scanLog() would pay it once per line. `return()` and `throw()` go to the batch
 * generator, so its `finally` (which ends the process tree) runs exactly as before.
 */
export function flattenBatches<T>(
  batches: AsyncGenerator<readonly T[], void, undefined>,
): AsyncGenerator<T, void, undefined> {
  let batch: readonly T[] = [];
  let index = 0;
  // A slow-path call still in flight: later next() calls queue behind it, as with a generator.
  let inFlight: Promise<unknown> | undefined;
  const pull = async (): Promise<IteratorResult<T, void>> => {
    while (index >= batch.length) {
      const next = await batches.next();
      if (next.done) return { done: true, value: undefined };
      batch = next.value;
      index = 0;
    }
    return { done: false, value: batch[index++] as T };
  };
  const drop = () => {
    batch = [];
    index = 0;
  };
  return {
    next() {
      if (inFlight === undefined && index < batch.length) {
        return Promise.resolve({ done: false, value: batch[index++] as T });
      }
      const result = inFlight === undefined ? pull() : inFlight.then(pull);
      const settled: Promise<unknown> = result.then(
        () => {
          if (inFlight === settled) inFlight = undefined;
        },
        () => {
          if (inFlight === settled) inFlight = undefined;
        },
      );
      inFlight = settled;
      return result;
    },
    async return() {
      drop();
      await batches.return();
      return { done: true, value: undefined };
    },
    async throw(error: unknown) {
      drop();
      await batches.throw(error);
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

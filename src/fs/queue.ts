/** The tail of each path's in-process queue; an entry exists only while work is queued. */
const tails = new Map<string, Promise<void>>();

/**
 * Runs `work` after every earlier call for the same key in this process has finished, so
 * that updates of one file from one process never contend for its cross-process lock.
 * `waitFor` bounds the wait (it rejects to give up); a caller that gives up keeps its place
 * in the chain until the work before it is done, so the order is never broken.
 */
export async function inQueue<T>(
  key: string,
  waitFor: (turn: Promise<void>) => Promise<void>,
  work: () => Promise<T>,
): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  let finish!: () => void;
  const mine = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const tail = previous.then(() => mine);
  tails.set(key, tail);
  const release = () => {
    finish();
    if (tails.get(key) === tail) tails.delete(key);
  };
  try {
    await waitFor(previous);
  } catch (error) {
    previous.then(release, release);
    throw error;
  }
  try {
    return await work();
  } finally {
    release();
  }
}

/**
 * A `waitFor` for {@link inQueue}: waits for the turn until `deadline` (then rejects with
 * `onTimeout()`) or until `signal` aborts (then rejects with its reason).
 */
export function boundedTurn(
  deadline: number,
  signal: AbortSignal | undefined,
  onTimeout: () => Error,
): (turn: Promise<void>) => Promise<void> {
  return async (turn) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), Math.max(0, deadline - Date.now()));
    });
    try {
      await Promise.race([turn, timeout, ...(signal ? [abortPromise(signal)] : [])]);
    } finally {
      clearTimeout(timer);
    }
  };
}

function abortPromise(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

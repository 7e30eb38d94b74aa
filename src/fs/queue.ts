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

import { lstat } from 'node:fs/promises';
import pRetry, { AbortError as StopRetrying } from 'p-retry';
import { ensureError, isSreError } from '../errors/index.js';
import type { Job, Outcome, ProcessContext } from './watch-context.js';
import { hashFile, statIdentity } from './watch-identity.js';
import { quarantine } from './watch-quarantine.js';
import type { WatchedFile } from './watch-types.js';

/** Thrown inside an attempt to end the job without counting a failure. */
class Skip extends Error {
  constructor(readonly outcome: Outcome) {
    super(outcome);
  }
}

/** What identify() found: the file's identity, or why it is not handled. */
export type Identified = { kind: 'identified'; identity: string } | { kind: 'skip'; outcome: Outcome };

/**
 * The first stage, run with more parallelism than the handlers (it only reads): the file's
 * identity, and whether the ledger has it already. A file that cannot be read to be hashed
 * goes on under its stat identity: the handler then fails on it the same way, is retried,
 * and the file is quarantined with the handler's error.
 */
export async function identify(context: ProcessContext, job: Job): Promise<Identified> {
  if (context.stopping.aborted) return { kind: 'skip', outcome: 'interrupted' };
  let identity = statIdentity(job.snapshot);
  if (context.options.identity === 'content') {
    try {
      const hashed = await hashFile(job.path, job.snapshot, context.stopping);
      if (hashed.kind !== 'hashed') return { kind: 'skip', outcome: hashed.kind };
      identity = hashed.identity;
    } catch (error) {
      if (context.stopping.aborted) return { kind: 'skip', outcome: 'interrupted' };
      context.options.logger.warn(
        { path: job.relativePath, error },
        'watchDirectory: cannot read the file to hash it; it goes on under its stat identity',
      );
    }
  }
  return isDuplicate(context, identity)
    ? { kind: 'skip', outcome: 'duplicate' }
    : { kind: 'identified', identity };
}

/**
 * The second stage, one of `concurrency`: the handler with retries and backoff, and the
 * outcome recorded (fsynced) before it is reported. A file that the handler keeps failing
 * on is quarantined (moved to `quarantineDir` if set) and recorded with its error. An
 * sre-kit error marked not retryable (bad data, a failed command) and a TypeError (a bug,
 * p-retry's rule) end the attempts at once.
 */
export async function handle(context: ProcessContext, job: Job, identity: string): Promise<Outcome> {
  const { options } = context;
  if (context.stopping.aborted) return 'interrupted';
  // Checked again: a file with the same bytes may have been handled while this one waited.
  if (isDuplicate(context, identity)) return 'duplicate';
  const file: WatchedFile = {
    path: job.path,
    relativePath: job.relativePath,
    size: job.snapshot.size,
    mtimeMs: job.snapshot.mtimeMs,
    identity,
  };
  context.inFlight.add(identity);
  let attempts = 0;
  let succeeded = false;
  const started = performance.now();
  const attempt = async (number: number) => {
    if (context.stopping.aborted) throw new StopRetrying(new Skip('interrupted'));
    if (number > 1 && !(await exists(job.path))) throw new StopRetrying(new Skip('vanished'));
    attempts = number;
    context.running(1);
    try {
      await context.handler({ ...file }, { signal: context.handlerSignal, attempt: number });
    } catch (thrown) {
      throw ensureError(thrown);
    } finally {
      context.running(-1);
    }
    succeeded = true;
  };
  try {
    await pRetry(attempt, {
      retries: options.retries,
      minTimeout: options.retryDelayMs,
      maxTimeout: Math.max(30_000, options.retryDelayMs),
      randomize: true,
      // p-retry also checks it after a successful attempt: `succeeded` keeps that success.
      signal: context.stopping,
      shouldRetry: ({ error }) => worthRetrying(error),
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        const willRetry = retriesLeft > 0 && worthRetrying(error) && !context.stopping.aborted;
        context.emit('failed', { file: { ...file }, error, attempt: attemptNumber, willRetry });
        options.logger.warn(
          { path: job.relativePath, attempt: attemptNumber, willRetry, error: error.message },
          'watchDirectory: handler failed',
        );
      },
    });
  } catch (error) {
    if (error instanceof Skip) return release(context, identity, error.outcome);
    if (!succeeded) {
      if (context.stopping.aborted) return release(context, identity, 'interrupted');
      return quarantine(context, file, ensureError(error), attempts);
    }
  }
  let recorded: boolean;
  try {
    recorded = await context.record({
      id: identity,
      path: file.relativePath,
      outcome: 'processed',
      at: new Date().toISOString(),
      attempts,
    });
  } finally {
    context.inFlight.delete(identity);
  }
  if (!recorded) return 'interrupted';
  context.emit('processed', { file: { ...file }, attempts, durationMs: performance.now() - started });
  return 'processed';
}

/** Processed before (ledger), given up on in this run, or being handled under another name now. */
function isDuplicate(context: ProcessContext, identity: string): boolean {
  return (
    context.ledger.get(identity)?.outcome === 'processed' ||
    context.quarantinedIds.has(identity) ||
    context.inFlight.has(identity)
  );
}

function release(context: ProcessContext, identity: string, outcome: Outcome): Outcome {
  context.inFlight.delete(identity);
  return outcome;
}

function worthRetrying(error: Error): boolean {
  if (isSreError(error) && !error.retryable) return false;
  return !(error instanceof TypeError);
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
  );
}

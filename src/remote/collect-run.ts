import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import { collectHost, connectJump, type RunContext } from './collect-host.js';
import type { NormalizedCollectOptions } from './collect-normalize.js';
import { buildMetricsCommand } from './metrics-command.js';
import { createKeyCache, loadPrivateKey } from './ssh-auth.js';
import { createHostKeyChecker } from './ssh-host-key.js';
import { createJumpPool } from './ssh-jump.js';
import type { HostResult } from './types.js';

/**
 * Runs the hosts with at most `concurrency` at once and yields their results as they
 * finish. A host keeps its slot until its result is taken: a consumer that stops reading
 * stops new connections (back-pressure), and at most `concurrency` results wait in memory.
 * Stopping the iteration early (`break`) aborts the hosts still running and closes every
 * connection before the iterator's `return()` settles.
 */
export async function* runHosts(
  options: NormalizedCollectOptions,
): AsyncGenerator<HostResult, void, undefined> {
  const { targets, logger } = options;
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  // Every running host listens on it (connect, retry waits, commands): many by design.
  setMaxListeners(0, signal);
  const hostKeys = createHostKeyChecker({
    path: options.knownHostsPath,
    policy: options.hostKeyPolicy,
    hash: options.hashKnownHosts,
    logger,
  });
  // Options that are wrong for every host fail the call before any connection.
  await hostKeys.load();
  const globalKeys = await Promise.all(
    options.privateKeys.map((key, index) =>
      loadPrivateKey(
        key,
        typeof key === 'string' ? key : `privateKeys[${index}] (a Secret)`,
        options.passphrase,
      ),
    ),
  );
  const context: RunContext = {
    options,
    hostKeys,
    globalKeys,
    keyFile: createKeyCache(options.passphrase),
    jumps: createJumpPool((jump) => connectJump(context, jump, signal)),
    metricsCommand:
      options.metrics.length === 0
        ? undefined
        : buildMetricsCommand(options.metrics, { cpuSampleMs: options.cpuSampleMs }),
  };

  const queue = createQueue<HostResult>();
  const limit = pLimit(options.concurrency);
  const running = new Set<Promise<void>>();
  const started = performance.now();
  let ok = 0;
  let failed = 0;
  for (const target of targets) {
    void limit(() => {
      const task = collectHost(target, context, signal)
        // collectHost reports every failure as a result; this is the net under a bug, so
        // that the host still appears once and the run does not wait for it forever.
        .catch((error: unknown) => internalFailure(target.name, error))
        .then((result) => queue.push(result));
      running.add(task);
      return task.finally(() => running.delete(task));
    });
  }
  try {
    for (let done = 1; done <= targets.length; done++) {
      const result = await queue.take();
      if (result.ok) ok++;
      else failed++;
      options.onProgress?.({ total: targets.length, done, ok, failed, result });
      yield result;
    }
    logger.info(
      { total: targets.length, ok, failed, durationMs: Math.round(performance.now() - started) },
      'collect finished',
    );
  } finally {
    // Reached early only by break, return() or a throwing onProgress: stop everything.
    stop.abort(new Error('collectStream() iteration stopped'));
    limit.clearQueue();
    queue.release();
    await Promise.all(running);
    await context.jumps.closeAll();
  }
}

function internalFailure(host: string, error: unknown): HostResult {
  const message = error instanceof Error ? error.message : String(error);
  return {
    host,
    ok: false,
    startedAt: new Date().toISOString(),
    durationMs: 0,
    commands: {},
    error: { code: 'SRE_INTERNAL', message: `Internal error (please report it): ${message}` },
  };
}

interface Queue<T> {
  /** Resolves when the item has been taken. */
  push(item: T): Promise<void>;
  take(): Promise<T>;
  /** Lets every pusher go on; their items are dropped. */
  release(): void;
}

function createQueue<T>(): Queue<T> {
  let items: Array<{ item: T; taken: () => void }> = [];
  const takers: Array<(item: T) => void> = [];
  let released = false;
  return {
    push(item) {
      if (released) return Promise.resolve();
      return new Promise((taken) => {
        const taker = takers.shift();
        if (taker === undefined) items.push({ item, taken });
        else {
          taker(item);
          taken();
        }
      });
    },
    take() {
      const next = items.shift();
      if (next === undefined) return new Promise((resolve) => takers.push(resolve));
      next.taken();
      return Promise.resolve(next.item);
    },
    release() {
      released = true;
      for (const { taken } of items) taken();
      items = [];
    },
  };
}

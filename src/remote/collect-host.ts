import pLimit from 'p-limit';
import pRetry from 'p-retry';
import { isRetryable, isSreError } from '../errors/index.js';
import type { JumpTarget, Target } from './collect-destination.js';
import { nonZeroExit, pickFailure, toHostError } from './collect-failures.js';
import type { NormalizedCollectOptions } from './collect-normalize.js';
import { parseMetricsOutput } from './metrics.js';
import type { HostMetrics } from './metrics-types.js';
import type { AuthPlan, LoadedKey } from './ssh-auth.js';
import { openSession, type SshSession } from './ssh-connect.js';
import { abortedError } from './ssh-errors.js';
import { createChannelCount, type ExecOutcome, execCommand } from './ssh-exec.js';
import type { HostKeyChecker } from './ssh-host-key.js';
import type { JumpPool } from './ssh-jump.js';
import type { CommandResult, HostResult } from './types.js';

/** What every host of a run shares. */
export interface RunContext {
  readonly options: NormalizedCollectOptions;
  readonly hostKeys: HostKeyChecker;
  readonly globalKeys: readonly LoadedKey[];
  readonly keyFile: (path: string) => Promise<LoadedKey>;
  readonly jumps: JumpPool;
  /** The metrics command, when metrics were asked for. */
  readonly metricsCommand: string | undefined;
}

/** The auth methods for a user: the host's own key file first, then the run's keys, then the agent. */
export async function authPlan(
  context: RunContext,
  user: string,
  identityFile: string | undefined,
): Promise<AuthPlan> {
  const own = identityFile === undefined ? [] : [await context.keyFile(identityFile)];
  return { username: user, keys: [...own, ...context.globalKeys], agent: context.options.agent };
}

/** Opens a session to a jump host (no retries of its own: the hosts' attempts retry it). */
export async function connectJump(
  context: RunContext,
  jump: JumpTarget,
  signal: AbortSignal,
): Promise<SshSession> {
  const { options } = context;
  return openSession(jump.host, jump.port, {
    auth: await authPlan(context, jump.user, jump.identityFile),
    hostKeys: context.hostKeys,
    timeoutMs: options.connectTimeoutMs,
    keepaliveIntervalMs: options.keepaliveIntervalMs,
    keepaliveCountMax: 3,
    signal,
    logger: options.logger,
  });
}

/**
 * Everything for one host: connect (with retries of connect-phase failures), run the
 * commands and the metrics command on that one connection, at most `maxSessions` channels
 * at a time, close. Never rejects: every outcome is a HostResult.
 */
export async function collectHost(
  target: Target,
  context: RunContext,
  signal: AbortSignal,
): Promise<HostResult> {
  const { options } = context;
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const commands: Record<string, CommandResult> = {};
  const finish = (error: unknown, metrics?: HostMetrics): HostResult => ({
    host: target.name,
    ok: error === undefined,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    commands,
    ...(metrics === undefined ? {} : { metrics }),
    ...(error === undefined ? {} : { error: toHostError(error, signal) }),
  });
  if (signal.aborted) return finish(abortedError(signal, 'before the host was reached'));

  let session: SshSession;
  try {
    const auth = await authPlan(context, target.user, target.identityFile);
    session = await pRetry(
      async () => {
        const via = target.jump && {
          session: await context.jumps.acquire(target.jump),
          label: target.jump.label,
        };
        return openSession(target.host, target.port, {
          auth,
          hostKeys: context.hostKeys,
          timeoutMs: options.connectTimeoutMs,
          keepaliveIntervalMs: options.keepaliveIntervalMs,
          keepaliveCountMax: 3,
          signal,
          logger: options.logger,
          ...(via ? { via } : {}),
        });
      },
      {
        retries: options.retry.retries,
        minTimeout: options.retry.minDelayMs,
        maxTimeout: options.retry.maxDelayMs,
        factor: options.retry.factor,
        randomize: true,
        signal,
        shouldRetry: ({ error }) => !signal.aborted && isRetryable(error),
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          const retrying = retriesLeft > 0 && !signal.aborted && isRetryable(error);
          options.logger[retrying ? 'warn' : 'debug'](
            {
              host: target.name,
              attempt: attemptNumber,
              retriesLeft,
              code: isSreError(error) ? error.code : null,
              error: error.message,
            },
            retrying ? 'connect attempt failed; retrying' : 'connect attempt failed',
          );
        },
      },
    );
  } catch (error) {
    return finish(error);
  }

  try {
    const outcomes = await runAll(session, context, signal);
    const failures: unknown[] = [];
    for (const [name, outcome] of outcomes.commands) {
      if (outcome.result !== undefined) commands[name] = outcome.result;
      const failure = outcome.error ?? nonZeroExit(name, outcome.result);
      if (failure !== undefined) failures.push(failure);
    }
    let metrics: HostMetrics | undefined;
    if (outcomes.metrics?.error !== undefined) failures.push(outcomes.metrics.error);
    else if (outcomes.metrics?.result !== undefined) {
      metrics = parseMetricsOutput(outcomes.metrics.result.stdout, options.metrics);
      // A metric that could not be read fails the host too; the others are still there.
      const firstMetricError = Object.values(metrics.errors ?? {})[0];
      if (firstMetricError !== undefined) failures.push(firstMetricError);
    }
    return finish(pickFailure(failures, session, signal), metrics);
  } finally {
    await session.close();
  }
}

interface Outcomes {
  /** In the order of the options. */
  readonly commands: ReadonlyMap<string, ExecOutcome>;
  readonly metrics: ExecOutcome | undefined;
}

async function runAll(session: SshSession, context: RunContext, signal: AbortSignal): Promise<Outcomes> {
  const { options } = context;
  // One connection, at most maxSessions channels at once: sshd refuses more (MaxSessions 10).
  const limit = pLimit(options.maxSessions);
  const channels = createChannelCount();
  const run = (name: string, command: string) =>
    limit(() =>
      execCommand(session.client, name, command, {
        timeoutMs: options.commandTimeoutMs,
        maxOutputBytes: options.maxOutputBytes,
        signal,
        lost: () => session.lost,
        channels,
      }),
    );
  // The metrics command first: it is one round trip that every host runs, and often the slowest.
  const metrics = context.metricsCommand === undefined ? undefined : run('metrics', context.metricsCommand);
  const commands = await Promise.all(options.commands.map(([name, command]) => run(name, command)));
  return {
    commands: new Map(options.commands.map(([name], index) => [name, commands[index]!])),
    metrics: await metrics,
  };
}

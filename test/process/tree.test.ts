import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasCode, isSreError } from '../../src/errors/index.js';
import { lines, run } from '../../src/process/index.js';
import { isAlive, killQuietly, liveGroupMembers, waitUntil } from '../helpers/processes.js';

async function failure(promise: Promise<unknown>): Promise<Error & { details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

// Bounds below only tell "returned" from "hung on a 300 s sleep"; they are not speed goals.
const HUNG = 20_000;

describe('the process tree', () => {
  it('kills children and grandchildren on timeout: no process of the group is left', async () => {
    const started = Date.now();
    const error = await failure(run('bash', ['-c', 'sleep 300 & sleep 300 & wait'], { timeoutMs: 300 }));
    expect(Date.now() - started).toBeLessThan(HUNG);
    expect(hasCode(error, 'SRE_COMMAND_TIMEOUT')).toBe(true);
    const pgid = error.details?.pid as number;
    expect(pgid).toBeGreaterThan(0);
    expect(await waitUntil(() => liveGroupMembers(pgid).length === 0)).toBe(true);
    expect(isSreError(error) && error.retryable).toBe(true);
  });

  it('returns a timed-out result with reject: false', async () => {
    const result = await run('sleep', ['300'], { timeoutMs: 100, reject: false });
    expect(result).toMatchObject({ timedOut: true, exitCode: null, exitSignal: 'SIGTERM' });
  });

  it('escalates to SIGKILL when the child traps SIGTERM, after killGraceMs', async () => {
    const started = Date.now();
    const result = await run('bash', ['-c', 'trap "" TERM; echo ready; sleep 300 & wait'], {
      timeoutMs: 200,
      killGraceMs: 700,
      reject: false,
    });
    const elapsed = Date.now() - started;
    expect(result.timedOut).toBe(true);
    expect(result.exitSignal).toBe('SIGKILL');
    expect(elapsed).toBeGreaterThanOrEqual(200 + 700);
    expect(elapsed).toBeLessThan(HUNG);
    expect(await waitUntil(() => liveGroupMembers(result.pid).length === 0)).toBe(true);
  });

  it('does not hang on a grandchild that escaped with setsid and holds the pipes', async () => {
    const started = Date.now();
    const result = await run('bash', ['-c', 'setsid sleep 300 & echo $!'], { timeoutMs: 10_000 });
    expect(Date.now() - started).toBeLessThan(HUNG);
    const escaped = Number(result.stdout.trim());
    try {
      expect(escaped).toBeGreaterThan(0);
      expect(isAlive(escaped)).toBe(true);
      expect(result.exitCode).toBe(0);
    } finally {
      killQuietly(escaped);
    }
  });

  it('returns within its deadline when the escaped grandchild outlives a timeout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sre-kit-escape-'));
    const pidFile = join(dir, 'escaped.pid');
    try {
      const started = Date.now();
      const error = await failure(
        run('bash', ['-c', 'setsid sleep 300 & echo $! > "$1"; sleep 300', 'x', pidFile], { timeoutMs: 300 }),
      );
      expect(Date.now() - started).toBeLessThan(HUNG);
      expect(hasCode(error, 'SRE_COMMAND_TIMEOUT')).toBe(true);
      expect(await waitUntil(() => liveGroupMembers(error.details?.pid as number).length === 0)).toBe(true);
    } finally {
      // The escaped process left the group by design: it is the test's to clean up.
      killQuietly(Number(await readFile(pidFile, 'utf8').catch(() => '0')));
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('kills the tree when the signal aborts mid-run', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('operator pressed Ctrl-C')), 200);
    const error = await failure(
      run('bash', ['-c', 'sleep 300 & sleep 300 & wait'], { signal: controller.signal }),
    );
    expect(hasCode(error, 'SRE_ABORTED')).toBe(true);
    expect((error.cause as Error).message).toBe('operator pressed Ctrl-C');
    const pgid = error.details?.pid as number;
    expect(await waitUntil(() => liveGroupMembers(pgid).length === 0)).toBe(true);
  });

  it('refuses to start when the signal is already aborted', async () => {
    const error = await failure(run('true', [], { signal: AbortSignal.abort() }));
    expect(hasCode(error, 'SRE_ABORTED')).toBe(true);
  });

  it('ends the tree when a lines() loop is left early', async () => {
    let pgid = 0;
    let count = 0;
    for await (const line of lines('bash', [
      '-c',
      'echo $$; sleep 300 & while true; do echo tick; sleep 0.01; done',
    ])) {
      if (count === 0) pgid = Number(line);
      if (++count === 5) break;
    }
    expect(pgid).toBeGreaterThan(0);
    expect(await waitUntil(() => liveGroupMembers(pgid).length === 0)).toBe(true);
  });

  it('ends the tree when a lines() loop is aborted', async () => {
    const controller = new AbortController();
    let pgid = 0;
    const error = await failure(
      (async () => {
        for await (const line of lines(
          'bash',
          ['-c', 'echo $$; sleep 300 & while true; do echo tick; sleep 0.01; done'],
          {
            signal: controller.signal,
          },
        )) {
          if (pgid === 0) {
            pgid = Number(line);
            controller.abort();
          }
        }
      })(),
    );
    expect(hasCode(error, 'SRE_ABORTED')).toBe(true);
    expect(await waitUntil(() => liveGroupMembers(pgid).length === 0)).toBe(true);
  });
});

import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../src/errors/index.js';
import { updateJson, withLock } from '../../src/fs/index.js';
import { ReleaseWatch } from '../../src/fs/lock-wait.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-lock-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<Error & { details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('withLock()', () => {
  it('uses a sidecar lock directory and removes it afterwards', async () => {
    const file = join(dir, 'sidecar.json');
    const seen = await withLock(file, async ({ lockPath, path }) => {
      expect(lockPath).toBe(`${path}.lock`);
      return (await readdir(dir)).sort();
    });
    expect(seen).toContain('sidecar.json.lock');
    expect(await readdir(dir)).not.toContain('sidecar.json.lock');
  });

  it('holds the lock with an owner record naming this process from the first moment of the work', async () => {
    const file = join(dir, 'owner-record.json');
    const owner = await withLock(file, async ({ assertHeld, lockPath }) => {
      await assertHeld();
      return JSON.parse(await readFile(`${lockPath}/owner.json`, 'utf8')) as { pid: number };
    });
    expect(owner.pid).toBe(process.pid);
    expect(await readdir(dir)).not.toContain('owner-record.json.lock');
  });

  it('times out naming the lock file when a live process holds it', async () => {
    const file = join(dir, 'held.json');
    // A lock directory with a fresh mtime and no owner record: a holder we cannot judge.
    await mkdir(`${file}.lock`);
    const error = await failure(withLock(file, () => 'never', { lockTimeoutMs: 200 }));
    expect(hasCode(error, 'SRE_LOCK_TIMEOUT')).toBe(true);
    expect(error.message).toContain(`${file}.lock`);
    expect(error.message).toContain('200 ms');
    await rm(`${file}.lock`, { recursive: true });
  });

  it('names the holder of the lock in the timeout', async () => {
    const file = join(dir, 'named.json');
    let release!: () => void;
    const held = withLock(
      file,
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    // A second call in the same process waits in the in-process queue first.
    const error = await failure(withLock(file, () => 'never', { lockTimeoutMs: 100 }));
    expect(hasCode(error, 'SRE_LOCK_TIMEOUT')).toBe(true);
    release();
    await held;
    await withLock(file, () => 'free again');
  });

  it('takes over a lock that nobody refreshed for staleMs', async () => {
    const file = join(dir, 'abandoned.json');
    await mkdir(`${file}.lock`);
    const old = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, old, old);
    expect(await withLock(file, () => 'taken over', { staleMs: 2000, lockTimeoutMs: 1000 })).toBe(
      'taken over',
    );
  });

  it('takes over a lock whose holder on this host is dead, without waiting for staleMs', async () => {
    const file = join(dir, 'dead-holder.json');
    await mkdir(`${file}.lock`);
    const owner = {
      token: 'x',
      pid: 2 ** 22 + 7,
      host: (await import('node:os')).hostname(),
      bootId: '',
      startTime: '',
    };
    owner.bootId = (await import('node:fs')).readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    await writeFile(`${file}.lock/owner.json`, JSON.stringify(owner));
    const started = Date.now();
    expect(await withLock(file, () => 'taken over', { staleMs: 60_000, lockTimeoutMs: 5000 })).toBe(
      'taken over',
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('abandons the write with SRE_LOCK_COMPROMISED when the lock was taken over while held', async () => {
    const file = join(dir, 'compromised.json');
    await writeFile(file, '{"n":1}');
    const error = await failure(
      updateJson(file, async (data) => {
        // Another process decided the lock was stale and replaced it.
        await rm(`${file}.lock`, { recursive: true });
        await mkdir(`${file}.lock`);
        data.n = 2;
      }),
    );
    expect(hasCode(error, 'SRE_LOCK_COMPROMISED')).toBe(true);
    expect((await import('node:fs')).readFileSync(file, 'utf8')).toBe('{"n":1}');
    await rm(`${file}.lock`, { recursive: true });
  });

  it('stops waiting when the signal aborts', async () => {
    const file = join(dir, 'abort.json');
    await mkdir(`${file}.lock`);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 100);
    const error = await failure(
      withLock(file, () => 'never', { signal: controller.signal, lockTimeoutMs: 30_000 }),
    );
    expect(hasCode(error, 'SRE_ABORTED')).toBe(true);
    await rm(`${file}.lock`, { recursive: true });
  });

  it('refuses a staleMs below what the lock refresh can keep up with', async () => {
    const error = await failure(withLock(join(dir, 'x.json'), () => 1, { staleMs: 500 }));
    expect(hasCode(error, 'SRE_USAGE')).toBe(true);
    expect(error.message).toContain('staleMs must be at least 2000');
  });

  it('serialises calls in one process in order', async () => {
    const file = join(dir, 'order.json');
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        withLock(file, async () => {
          order.push(index);
          await new Promise((resolve) => setTimeout(resolve, 1));
        }),
      ),
    );
    expect(order).toEqual(Array.from({ length: 20 }, (_, index) => index));
  });

  it('keeps the lock through work that lasts longer than staleMs (the refresh never sees it as taken)', async () => {
    const file = join(dir, 'long.json');
    const result = await withLock(
      file,
      async ({ signal, assertHeld }) => {
        await new Promise((resolve) => setTimeout(resolve, 2600));
        await assertHeld();
        return signal.aborted;
      },
      { staleMs: 2000 },
    );
    expect(result).toBe(false);
  });
});

describe('ReleaseWatch (how a waiting contender learns of a release)', () => {
  it('wakes a wait when the lock directory is removed, long before its timer', async () => {
    const lockPath = join(dir, 'watched.json.lock');
    await mkdir(lockPath);
    const watch = new ReleaseWatch(lockPath);
    try {
      let woken = false;
      // The timer is an hour: only the removal can end this wait within the test's time.
      const waiting = watch.wait(3_600_000, undefined).then(() => {
        woken = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(woken).toBe(false);
      await rm(lockPath, { recursive: true });
      await waiting;
      expect(woken).toBe(true);
    } finally {
      watch.close();
    }
  }, 30_000);

  it('ignores other files in the folder, ends on abort, and returns at once for a release seen before the wait', async () => {
    const lockPath = join(dir, 'other.json.lock');
    await mkdir(lockPath);
    const watch = new ReleaseWatch(lockPath);
    try {
      let woken = false;
      const controller = new AbortController();
      const waiting = watch.wait(3_600_000, controller.signal).then(() => {
        woken = true;
      });
      await writeFile(join(dir, 'unrelated.tmp'), 'x');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(woken).toBe(false);
      controller.abort();
      await waiting;
      await rm(lockPath, { recursive: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await watch.wait(3_600_000, undefined); // the removal came first: no wait
    } finally {
      watch.close();
    }
  }, 30_000);
});

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../src/errors/index.js';
import { readJson } from '../../src/fs/index.js';
import { rotateSecret } from '../../src/secrets/index.js';
import type { Fault } from '../fixtures/secrets/provider.js';
import { bundleFixture } from '../helpers/bundle.js';
import { expectNoSecretIn } from '../helpers/leaks.js';
import { repoRoot } from '../helpers/run-script.js';
import { createWorld, expectConsistent, revokedKeys, shownTexts, type World } from './rotation-harness.js';

/** No secret value, in any form it travels in, may appear in what a rotation showed. */
function expectAbsent(texts: string[], values: string[]): void {
  if (values.length > 0) expectNoSecretIn(texts, values);
}

async function rotate(world: World, fault?: Fault, extra: Partial<Parameters<typeof rotateSecret>[0]> = {}) {
  return rotateSecret({
    id: 'api',
    store: world.store,
    provider: world.provider(fault),
    audit: world.audit,
    logger: world.logger,
    retries: 0,
    ...extra,
  });
}

const BOUNDARIES: Array<[Fault['step'], Fault['when']]> = [
  ['create', 'before'],
  ['create', 'after'],
  ['deploy', 'before'],
  ['deploy', 'after'],
  ['test', 'before'],
  ['test', 'after'],
  ['revoke', 'before'],
  ['revoke', 'after'],
];

describe('rotateSecret()', () => {
  it('rotates: create, deploy, test, finish, revoke; the old key stops working, the new one works', async () => {
    const world = await createWorld();
    try {
      const before = await world.store.get('api');
      const result = await rotate(world);
      expect(result).toMatchObject({
        status: 'rotated',
        resumed: false,
        steps: ['create', 'deploy', 'test', 'finish', 'revoke'],
      });
      const key = await expectConsistent(world);
      expect(key).not.toBe(before?.reveal());
      const old = await fetch(`${world.service.url}/protected`, {
        headers: { authorization: `Bearer ${before?.reveal()}` },
      });
      expect(old.status).toBe(401);
      const audit = (await readFile(world.audit, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(audit.map((entry) => `${entry.step}:${entry.outcome}`)).toEqual(
        ['create', 'deploy', 'test', 'finish', 'revoke'].flatMap((step) => [
          `${step}:started`,
          `${step}:done`,
        ]),
      );
      expect(audit.every((entry) => entry.rotationId === result.rotationId)).toBe(true);
      expect(audit.at(-1).fingerprints.pending).toMatch(/^sha256:[0-9a-f]{12}$/);
      expectAbsent(await shownTexts(world), world.issued());
      expectAbsent([await readFile(world.storePath, 'utf8')], revokedKeys(world));
      expect((await import('node:fs')).statSync(world.storePath).mode & 0o777).toBe(0o600);
    } finally {
      await world.close();
    }
  });

  it.each(BOUNDARIES)('resumes after an error thrown %s the %s step', async (step, when) => {
    const world = await createWorld();
    const errors: unknown[] = [];
    try {
      const failed = await rotate(world, {
        step,
        when: when === 'before' ? 'before' : 'after',
        kind: 'throw',
      }).catch((e) => e);
      errors.push(failed);
      expect(hasCode(failed, 'SRE_ROTATION_FAILED')).toBe(true);
      expect(failed.message).toContain(`failed at step ${step}`);
      if (step === 'test') {
        // A failed test rolls back: the old key is current again and still works.
        expect(failed.details.resumable).toBe(false);
        await expectConsistent(world);
        const again = await rotate(world);
        expect(again).toMatchObject({ status: 'rotated', resumed: false });
      } else {
        expect(failed.details.resumable).toBe(true);
        const resumed = await rotate(world);
        expect(resumed).toMatchObject({ status: 'rotated', resumed: true });
        expect(resumed.steps[0]).toBe(step);
      }
      await expectConsistent(world);
      expectAbsent(await shownTexts(world, errors), world.issued());
      expectAbsent([await readFile(world.storePath, 'utf8')], revokedKeys(world));
    } finally {
      await world.close();
    }
  });

  it('rolls back a rotation whose test fails, and the old key keeps working', async () => {
    const world = await createWorld();
    try {
      const old = await world.store.get('api');
      const provider = world.provider();
      provider.test = async () => {
        throw new Error('the new key was refused with HTTP 401');
      };
      const error = await rotateSecret({
        id: 'api',
        store: world.store,
        provider,
        retries: 0,
        audit: world.audit,
      }).catch((e) => e);
      expect(hasCode(error, 'SRE_ROTATION_FAILED')).toBe(true);
      expect(error.message).toContain('rolled back');
      const key = await expectConsistent(world);
      expect(key).toBe(old?.reveal());
      expect(world.service.keys().filter((k) => !k.live)).toHaveLength(1); // the pending key, revoked
    } finally {
      await world.close();
    }
  });

  it('keeps every consumer call working through a rotation with overlapMs > 0', async () => {
    const world = await createWorld();
    try {
      let calls = 0;
      let failures = 0;
      let running = true;
      const consumer = (async () => {
        while (running && calls < 50_000) {
          const { apiKey } = (await readJson(world.consumerConfig)) as { apiKey: string };
          const response = await fetch(`${world.service.url}/protected`, {
            headers: { authorization: `Bearer ${apiKey}` },
          });
          calls++;
          if (response.status !== 200) failures++;
        }
      })();
      const result = await rotate(world, undefined, { overlapMs: 400 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      running = false;
      await consumer;
      expect(result.status).toBe('rotated');
      expect(calls).toBeGreaterThan(20);
      expect(failures).toBe(0);
      await expectConsistent(world);
    } finally {
      await world.close();
    }
  });

  it('leaves the revoke to a later call with waitForOverlap: false', async () => {
    const world = await createWorld();
    try {
      const first = await rotate(world, undefined, { overlapMs: 300, waitForOverlap: false });
      expect(first.status).toBe('awaiting-revoke');
      expect(world.service.keys().filter((k) => k.live)).toHaveLength(2);
      const early = await rotate(world, undefined, { waitForOverlap: false });
      expect(early.status).toBe('awaiting-revoke');
      await new Promise((resolve) => setTimeout(resolve, 350));
      const later = await rotate(world, undefined, { waitForOverlap: false });
      expect(later).toMatchObject({
        status: 'rotated',
        resumed: true,
        steps: ['revoke'],
        rotationId: first.rotationId,
      });
      await expectConsistent(world);
    } finally {
      await world.close();
    }
  });

  it('refuses a second rotation of the same id while one runs', async () => {
    const world = await createWorld();
    try {
      let release!: () => void;
      let reached!: () => void;
      const inDeploy = new Promise<void>((resolve) => {
        reached = resolve;
      });
      const provider = world.provider();
      const slowDeploy = provider.deploy;
      provider.deploy = async (ctx, secret) => {
        reached();
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return slowDeploy(ctx, secret);
      };
      const first = rotateSecret({ id: 'api', store: world.store, provider, retries: 0 });
      await inDeploy;
      const second = await rotate(world).catch((e) => e);
      expect(hasCode(second, 'SRE_LOCK_HELD')).toBe(true);
      expect(second.message).toContain('Another rotation of api is running');
      release();
      expect((await first).status).toBe('rotated');
      await expectConsistent(world);
    } finally {
      await world.close();
    }
  });
});

describe('rotateSecret() killed with SIGKILL at a step boundary', () => {
  let child: string;
  beforeAll(async () => {
    child = await bundleFixture(join(repoRoot, 'test', 'fixtures', 'secrets', 'rotate-child.ts'));
  });
  afterAll(async () => {
    (await import('node:fs')).rmSync(child, { force: true });
  });

  function start(world: World, ...fault: string[]): ChildProcess {
    return spawn(
      process.execPath,
      [child, world.storePath, world.service.url, world.consumerConfig, world.audit, ...fault],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  }

  async function untilLine(process: ChildProcess, prefix: string): Promise<void> {
    let output = '';
    let errors = '';
    process.stderr?.on('data', (chunk) => {
      errors += chunk;
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "${prefix}" within 30 s: ${output} ${errors}`)),
        30_000,
      );
      process.stdout?.on('data', (chunk) => {
        output += chunk;
        if (output.includes(prefix)) {
          clearTimeout(timer);
          resolve();
        }
      });
      process.once('exit', () =>
        reject(new Error(`the child exited before "${prefix}": ${output} ${errors}`)),
      );
    });
  }

  it.each(BOUNDARIES)('resumes after SIGKILL %s the %s step', async (step, when) => {
    const world = await createWorld();
    try {
      const rotation = start(world, step, when);
      await untilLine(rotation, `hang ${step} ${when}`);
      // While it hangs it holds the rotation lock: a second rotation is refused.
      const refused = await rotate(world).catch((e) => e);
      expect(hasCode(refused, 'SRE_LOCK_HELD'), String(refused?.stack ?? JSON.stringify(refused))).toBe(true);
      rotation.kill('SIGKILL');
      await once(rotation, 'exit');
      const resumed = await rotate(world);
      expect(resumed).toMatchObject({ status: 'rotated', resumed: true });
      await expectConsistent(world);
      expectAbsent(await shownTexts(world), world.issued());
      expectAbsent([await readFile(world.storePath, 'utf8')], revokedKeys(world));
    } finally {
      await world.close();
    }
  });
});

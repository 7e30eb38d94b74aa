import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type KeyService, startKeyService } from '../../examples/fixtures/key-service.js';
import { readJson } from '../../src/fs/index.js';
import type { Logger } from '../../src/internal/logger.js';
import { FileSecretStore, Secret } from '../../src/secrets/index.js';
import { type Fault, keyServiceProvider } from '../fixtures/secrets/provider.js';

/** One rotation world: a key service, a store seeded with a live key, a consumer config, an audit log. */
export interface World {
  dir: string;
  service: KeyService;
  store: FileSecretStore;
  storePath: string;
  consumerConfig: string;
  audit: string;
  logs: unknown[];
  logger: Logger;
  /** Every key value the service ever issued: none may leak. */
  issued(): string[];
  provider(fault?: Fault): ReturnType<typeof keyServiceProvider>;
  close(): Promise<void>;
}

export async function createWorld(): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'sre-kit-rotation-'));
  const service = await startKeyService();
  const storePath = join(dir, 'secrets.json');
  const store = new FileSecretStore(storePath);
  const consumerConfig = join(dir, 'consumer.json');
  const logs: unknown[] = [];
  const record = (level: string) => (object: Record<string, unknown>, message?: string) =>
    logs.push({ level, object, message });
  // The credential that exists before the first rotation, deployed and seeded.
  const seed = await fetch(`${service.url}/admin/keys`, {
    method: 'POST',
    body: JSON.stringify({ label: 'seed' }),
  });
  const { key } = (await seed.json()) as { key: string };
  await store.put('api', new Secret(key), 'current');
  const world: World = {
    dir,
    service,
    store,
    storePath,
    consumerConfig,
    audit: join(dir, 'audit.jsonl'),
    logs,
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
    issued: () => service.keys().map((k) => (k as unknown as { key: string }).key),
    provider: (fault) => keyServiceProvider({ url: service.url, consumerConfig, fault }),
    close: async () => {
      await service.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  const { updateJson } = await import('../../src/fs/index.js');
  await updateJson(consumerConfig, { apiKey: key }, { create: {}, mode: 0o600 });
  return world;
}

/** What a healthy end state looks like after any rotation, finished or rolled back. */
export async function expectConsistent(world: World): Promise<string> {
  const record = await world.store.read('api');
  const current = record?.versions.filter((version) => version.stages.includes('current')) ?? [];
  expect(current).toHaveLength(1);
  const key = current[0]?.value ?? '';
  expect(record?.rotation).toBeUndefined();
  // The current key works against the service, and the consumers use it.
  const response = await fetch(`${world.service.url}/protected`, {
    headers: { authorization: `Bearer ${key}` },
  });
  expect(response.status).toBe(200);
  expect(((await readJson(world.consumerConfig)) as { apiKey: string }).apiKey).toBe(key);
  // No orphans: the only live key at the service is the current one, and the store keeps no
  // value of a revoked key.
  const live = world.service.keys().filter((k) => k.live);
  expect(live.map((k) => k.key)).toEqual([key]);
  const kept = record?.versions.filter((version) => version.value !== null).map((version) => version.value);
  expect(kept).toEqual([key]);
  return key;
}

/** Everything a rotation showed: logs, the audit log and (for revoked keys) the store file. */
export async function shownTexts(world: World, errors: unknown[] = []): Promise<string[]> {
  const audit = await readFile(world.audit, 'utf8').catch(() => '');
  return [
    JSON.stringify(world.logs),
    audit,
    ...errors.flatMap((error) => [String(error), (error as Error)?.message ?? '', JSON.stringify(error)]),
  ];
}

/** Revoked key values: these may appear nowhere, not even in the store file. */
export function revokedKeys(world: World): string[] {
  return world.service
    .keys()
    .filter((k) => !k.live)
    .map((k) => k.key);
}

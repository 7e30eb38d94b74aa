import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeyService, startKeyService } from '../../examples/fixtures/key-service.js';
import { FileSecretStore, Secret } from '../../src/secrets/index.js';
import { repoRoot, runScript, tsxBin } from '../helpers/run-script.js';

const KEY = 'sk_example_value_never_printed';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-secret-examples-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('examples/read-api-key.ts', () => {
  const read = (env: Record<string, string | undefined>, ...args: string[]) =>
    runScript(tsxBin, [join(repoRoot, 'examples', 'read-api-key.ts'), '--dir', dir, ...args], {
      env: { API_KEY: undefined, API_KEY_FILE: undefined, CREDENTIALS_DIRECTORY: undefined, ...env },
    });

  it('reads the key from the environment or a _FILE path and never prints it', async () => {
    const fromEnv = await read({ API_KEY: KEY });
    expect(fromEnv.exitCode).toBe(0);
    expect(fromEnv.stdout).toMatch(/^API_KEY: found, 30 characters, fingerprint sha256:[0-9a-f]{12}\n$/);
    const file = join(dir, 'api-key');
    await writeFile(file, `${KEY}\n`);
    await chmod(file, 0o600);
    const fromFile = await read({ API_KEY_FILE: file });
    expect(fromFile.stdout).toBe(fromEnv.stdout);
    expect(fromEnv.stdout + fromEnv.stderr + fromFile.stdout + fromFile.stderr).not.toContain(KEY);
  });

  it('refuses a key file others can read, with the chmod that fixes it (exit 77)', async () => {
    const file = join(dir, 'open-key');
    await writeFile(file, KEY);
    await chmod(file, 0o644);
    const result = await read({ API_KEY_FILE: file });
    expect(result.exitCode).toBe(77);
    expect(result.stderr).toContain(`chmod 600 ${file}`);
    expect(result.stderr).not.toContain(KEY);
  });

  it('says every place it looked when the key is missing (exit 78), and explains its options', async () => {
    const result = await read({}, '--name', 'MISSING_KEY');
    expect(result.exitCode).toBe(78);
    expect(result.stderr).toContain(
      'environment variable MISSING_KEY, environment variable MISSING_KEY_FILE',
    );
    expect(result.stderr).toContain(join(dir, 'MISSING_KEY'));
    expect((await read({}, '--help')).stdout).toContain('--permissions <policy>');
  });
});

describe('examples/rotate-api-key.ts', () => {
  let service: KeyService;
  beforeAll(async () => {
    service = await startKeyService();
  });
  afterAll(async () => {
    await service.close();
  });

  it('rotates the key, writes the audit log, and the old key stops working', async () => {
    const seed = await fetch(`${service.url}/admin/keys`, {
      method: 'POST',
      body: JSON.stringify({ label: 'seed' }),
    });
    const { key: oldKey } = (await seed.json()) as { key: string };
    const storePath = join(dir, 'store.json');
    await new FileSecretStore(storePath).put('api', new Secret(oldKey), 'current');
    const consumer = join(dir, 'consumer.json');
    const audit = join(dir, 'audit.jsonl');
    const args = [
      '--service',
      service.url,
      '--store',
      storePath,
      '--consumer-config',
      consumer,
      '--audit',
      audit,
    ];
    const result = await runScript(tsxBin, [join(repoRoot, 'examples', 'rotate-api-key.ts'), ...args]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('api: rotated, steps create → deploy → test → finish → revoke\n');
    const { apiKey } = JSON.parse(await readFile(consumer, 'utf8'));
    const works = await fetch(`${service.url}/protected`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(works.status).toBe(200);
    const old = await fetch(`${service.url}/protected`, { headers: { authorization: `Bearer ${oldKey}` } });
    expect(old.status).toBe(401);
    const auditText = await readFile(audit, 'utf8');
    expect(auditText.trim().split('\n')).toHaveLength(10);
    for (const text of [auditText, result.stdout, result.stderr]) {
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain(oldKey);
    }
  });
});

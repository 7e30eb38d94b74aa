/** Tour step: a Secret that never prints, and a resumable key rotation against a local key service. */
import { join } from 'node:path';
import { FileSecretStore, Secret } from 'sre-kit/secrets';
import { startKeyService } from '../fixtures/key-service.js';
import { runExample, say, step, type TourContext } from './tour.js';

export async function secretsStep(context: TourContext): Promise<void> {
  const { dir } = context;
  step('secrets: values that never print, and a resumable key rotation');
  const token = new Secret('hunter2-never-shown');
  say(
    `String(secret) -> ${String(token)}, JSON -> ${JSON.stringify({ token })}, fingerprint -> ${token.fingerprint()}`,
  );
  const service = await startKeyService();
  try {
    const seed = await fetch(`${service.url}/admin/keys`, {
      method: 'POST',
      body: JSON.stringify({ label: 'seed' }),
    });
    const store = new FileSecretStore(join(dir, 'secrets.json'));
    await store.put('api', new Secret(((await seed.json()) as { key: string }).key), 'current');
    const rotation = await runExample(
      'rotate-api-key.ts',
      [
        '--service',
        service.url,
        '--store',
        store.path,
        '--consumer-config',
        join(dir, 'consumer.json'),
        '--audit',
        join(dir, 'audit.jsonl'),
        '--overlap-ms',
        '200',
      ],
      context,
    );
    if (rotation.exitCode !== 0) throw new Error(`rotate-api-key.ts failed: ${rotation.stderr}`);
    say(`rotating against a local key service: ${rotation.stdout}`);
    say(
      `keys the service holds: ${service
        .keys()
        .map((k) => (k.live ? 'live' : 'revoked'))
        .join(', ')}`,
    );
  } finally {
    await service.close();
  }
}

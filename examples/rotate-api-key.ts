/**
 * Rotate an API key against a key service, resumably and with an audit log: the new key is
 * stored as pending before any consumer sees it, deployed to the consumer config, tested,
 * promoted, and the old key revoked after an overlap. Run it again after a crash and it
 * resumes where it stopped. The service API is the one examples/fixtures/key-service.ts serves.
 *
 *   npx tsx examples/rotate-api-key.ts --service http://127.0.0.1:8900 --store secrets.json \
 *     --consumer-config app.json --audit rotation.jsonl --overlap-ms 30000
 */
import { ConfigError, main, parseCliArgs } from 'sre-kit/errors';
import { updateJson } from 'sre-kit/fs';
import { FileSecretStore, rotateSecret, Secret, type SecretProvider } from 'sre-kit/secrets';
import { z } from 'zod';

const HELP = `Usage: rotate-api-key --service <url> --store <secrets.json> --consumer-config <app.json> [options]

Options:
  --service <url>            the key service (POST /admin/keys, POST /admin/keys/revoke, GET /protected)
  --store <file>             the secret store (JSON, mode 0600), seeded with the current key
  --consumer-config <file>   the JSON config the consumers read their key from ("apiKey")
  --audit <file>             append-only JSON-lines audit log (default rotation-audit.jsonl)
  --overlap-ms <ms>          how long the old key stays valid after the switch (default 0)
  --id <id>                  the secret's id in the store (default api)
  -h, --help                 show this help`;

const Args = z.object({
  service: z.url().optional(),
  store: z.string().optional(),
  'consumer-config': z.string().optional(),
  audit: z.string().default('rotation-audit.jsonl'),
  'overlap-ms': z.coerce.number().int().nonnegative().default(0),
  id: z.string().default('api'),
  help: z.boolean().default(false),
});

/** The provider: how this service issues, tests and revokes keys, and how consumers get them. */
function keyServiceProvider(service: string, consumerConfig: string): SecretProvider {
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${service}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`POST ${path} answered HTTP ${response.status}`);
    return response.json() as Promise<{ key: string }>;
  };
  return {
    // The version id is the idempotency label: a resumed create gets the same key back.
    create: async (ctx) => new Secret((await post('/admin/keys', { label: ctx.versionId })).key),
    deploy: async (_ctx, key) => {
      await updateJson(consumerConfig, { apiKey: key.reveal() }, { create: {}, mode: 0o600 });
    },
    test: async (_ctx, key) => {
      const response = await fetch(`${service}/protected`, {
        headers: { authorization: `Bearer ${key.reveal()}` },
      });
      if (response.status !== 200) throw new Error(`the new key is refused (HTTP ${response.status})`);
    },
    revoke: async (_ctx, key) => {
      await post('/admin/keys/revoke', { key: key.reveal() });
    },
  };
}

await main(async ({ argv, signal, logger }) => {
  const { values: args } = parseCliArgs(argv, {
    options: {
      service: { type: 'string' },
      store: { type: 'string' },
      'consumer-config': { type: 'string' },
      audit: { type: 'string' },
      'overlap-ms': { type: 'string' },
      id: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    schema: Args,
  });
  if (args.help) return console.log(HELP);
  if (!args.service || !args.store || !args['consumer-config']) {
    throw new ConfigError('SRE_USAGE', '--service, --store and --consumer-config are required (see --help)');
  }
  const result = await rotateSecret({
    id: args.id,
    store: new FileSecretStore(args.store),
    provider: keyServiceProvider(args.service, args['consumer-config']),
    overlapMs: args['overlap-ms'],
    audit: args.audit,
    signal,
    logger,
  });
  console.log(
    `${args.id}: ${result.status}${result.resumed ? ' (resumed)' : ''}, steps ${result.steps.join(' → ')}`,
  );
});

/**
 * Read an API key the safe way: from the environment, a `_FILE` path (Docker, Kubernetes),
 * systemd credentials or /run/secrets; refuse a file others can read; never print the key.
 *
 *   API_KEY_FILE=/etc/app/api-key npx tsx examples/read-api-key.ts --name API_KEY
 */
import { main, parseCliArgs } from 'sre-kit/errors';
import { readSecret } from 'sre-kit/secrets';
import { z } from 'zod';

const HELP = `Usage: read-api-key [--name API_KEY] [--dir /run/secrets]… [--permissions strict|container-aware|warn]

Looks for the key in $NAME, the file named by $NAME_FILE, $CREDENTIALS_DIRECTORY/NAME and each
--dir (as NAME or name), and prints where it was found with its fingerprint, never the key.

Options:
  --name <NAME>          the secret's name (default API_KEY)
  --dir <directory>      a directory with one file per secret (default /run/secrets; repeatable)
  --permissions <policy> strict | container-aware (default) | warn (unsafe: reads insecure files)
  -h, --help             show this help`;

const Args = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a variable-style name')
    .default('API_KEY'),
  dir: z.array(z.string()).default(['/run/secrets']),
  permissions: z.enum(['strict', 'container-aware', 'warn']).default('container-aware'),
  help: z.boolean().default(false),
});

await main(async ({ argv, logger }) => {
  const { values: args } = parseCliArgs(argv, {
    options: {
      name: { type: 'string' },
      dir: { type: 'string', multiple: true },
      permissions: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    schema: Args,
  });
  if (args.help) return console.log(HELP);
  const key = await readSecret(args.name, { directories: args.dir, permissions: args.permissions, logger });
  // `${key}` would print [REDACTED]; the fingerprint tells versions apart without revealing anything.
  console.log(`${args.name}: found, ${key.length} characters, fingerprint ${key.fingerprint()}`);
});

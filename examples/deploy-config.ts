/**
 * Promote a config file through environments, in order (dev, then staging, then prod), as one
 * YAML file describes them. The config is first checked against the JSON Schema of every
 * environment, so a bad config deploys nowhere. Then, for each environment: back up the
 * deployed file (as <target>.bak), write the new one atomically (a local path, or over SFTP to
 * a host of the inventory), run its health check (an HTTP URL answering 2xx, or a command
 * exiting 0). A failure restores the backup, stops the promotion and exits 1 saying what was
 * rolled back; the environments before it keep the new config.
 *
 *   npx tsx examples/deploy-config.ts app.json --environments environments.yaml [--inventory hosts.yaml]
 *   npx tsx examples/deploy-config.ts app.json --environments environments.yaml --dry-run
 */
import { createHash } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, FileError, formatError, fromZodError, main, parseCliArgs } from 'sre-kit/errors';
import { readJson, writeAtomic } from 'sre-kit/fs';
import { run } from 'sre-kit/process';
import type { Host } from 'sre-kit/remote';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';

const HELP = `Usage: deploy-config <config.json> --environments <environments.yaml> [options]

The environments file lists the environments in promotion order:

  schema: app.schema.json             # JSON Schema of the config (relative to this file)
  environments:
    - name: dev
      target: /srv/dev/app.json       # a local path…
      health: { url: "http://127.0.0.1:8081/healthz", timeoutMs: 5000 }
    - name: prod
      host: web-1                     # …or a path on a host of --inventory (over SFTP)
      target: /etc/app/app.json
      schema: prod.schema.json        # an environment may have a schema of its own
      health: { command: [systemctl, is-active, app], attempts: 3, intervalMs: 2000 }

Relative paths (schemas, local targets) are the environments file's. Each deploy first copies
the deployed file to <target>.bak, then replaces the target atomically; a rollback puts the
copy back (or removes the target when there was none). Ctrl-C during a health check rolls
that environment back too.

Each environment's health check is an HTTP URL (healthy: a 2xx answer within timeoutMs) or a
command run without a shell (healthy: exit 0 within timeoutMs), tried up to \`attempts\` times
(default 1) \`intervalMs\` apart (default 1000). timeoutMs defaults to 10000.

Options:
  --environments <file>  the environments file (YAML)
  --inventory <file>     hosts for the environments that name a host (YAML, JSON or CSV)
  --known-hosts <file>   known_hosts to check host keys against (default ~/.ssh/known_hosts)
  --identity <file>      a private key to log in with (default: the inventory's, then the agent)
  --dry-run              validate and print the plan; change nothing, connect nowhere
  -h, --help             show this help

Exit codes: 0 promoted everywhere, 1 a health check or deploy failed (that environment was
rolled back), 78 a bad environments file, 65 a config the schema refuses, 64 bad arguments.`;

const Args = z.object({
  environments: z.string().min(1).optional(),
  inventory: z.string().min(1).optional(),
  'known-hosts': z.string().min(1).optional(),
  identity: z.string().min(1).optional(),
  'dry-run': z.boolean().default(false),
  help: z.boolean().default(false),
});

const Health = z
  .strictObject({
    url: z.url({ protocol: /^https?$/ }).optional(),
    command: z.array(z.string().min(1)).min(1).optional(),
    timeoutMs: z.int().positive().default(10_000),
    attempts: z.int().min(1).max(100).default(1),
    intervalMs: z.int().min(0).max(600_000).default(1000),
  })
  .refine((health) => (health.url === undefined) !== (health.command === undefined), {
    message: 'give either url or command',
  });
const Environment = z.strictObject({
  name: z.string().regex(/^[\w.-]+$/, 'expected a word such as dev, staging or prod'),
  target: z.string().min(1),
  host: z.string().min(1).optional(),
  schema: z.string().min(1).optional(),
  health: Health,
});
type Environment = z.infer<typeof Environment> & { schemaPath: string };
const EnvironmentsFile = z.strictObject({
  schema: z.string().min(1).optional(),
  environments: z.array(z.unknown()).min(1),
});

/** Reads the environments file; a bad entry is named by its position and name. */
async function loadEnvironments(path: string): Promise<Environment[]> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    const code = error.code === 'ENOENT' ? 'SRE_FILE_NOT_FOUND' : 'SRE_FILE_IO';
    throw new FileError(code, `Cannot read ${path}`, { cause: error, details: { path } });
  });
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    const at = error instanceof YAMLParseError && error.linePos ? `:${error.linePos[0].line}` : '';
    throw new ConfigError('SRE_CONFIG_INVALID', `${path}${at}: not valid YAML`, { cause: error });
  }
  const file = EnvironmentsFile.safeParse(data);
  if (!file.success) throw fromZodError(file.error, { source: path, input: data });
  const names = new Set<string>();
  return file.data.environments.map((entry, index) => {
    const name = (entry as { name?: unknown } | null)?.name;
    const which = `${path}, environment ${index + 1}${typeof name === 'string' ? ` ("${name}")` : ''}`;
    const parsed = Environment.safeParse(entry);
    if (!parsed.success) throw fromZodError(parsed.error, { source: which, input: entry });
    const schema = parsed.data.schema ?? file.data.schema;
    if (schema === undefined)
      throw new ConfigError(
        'SRE_CONFIG_INVALID',
        `${which}: no schema (give one here or at the top of the file)`,
      );
    if (names.has(parsed.data.name))
      throw new ConfigError('SRE_CONFIG_INVALID', `${which}: the name is used twice`);
    names.add(parsed.data.name);
    // Relative paths are the environments file's; a remote target is the host's path as given.
    const target = parsed.data.host ? parsed.data.target : resolve(dirname(path), parsed.data.target);
    return { ...parsed.data, target, schemaPath: resolve(dirname(path), schema) };
  });
}

/** Checks the config against each environment's schema, before anything is deployed. */
async function validateConfig(configPath: string, environments: Environment[]): Promise<void> {
  const config = await readJson(configPath);
  for (const schemaPath of new Set(environments.map((env) => env.schemaPath))) {
    const schema = z.fromJSONSchema(await readJson(schemaPath, { schema: z.looseObject({}) }));
    const parsed = schema.safeParse(config);
    if (parsed.success) continue;
    const names = environments.filter((env) => env.schemaPath === schemaPath).map((env) => env.name);
    throw fromZodError(parsed.error, {
      source: `${configPath} (schema ${schemaPath} of ${names.join(', ')}; nothing was deployed)`,
      input: config,
      code: 'SRE_DATA_INVALID',
    });
  }
}

/** A file as it was: its bytes and permission bits (a backup keeps them: configs hold secrets). */
interface Saved {
  data: Buffer;
  mode: number;
}

/** Where an environment's file lives: this machine, or a host over SFTP. */
interface Place {
  label(path: string): string;
  read(path: string): Promise<Saved | undefined>;
  write(path: string, data: Buffer, mode?: number): Promise<void>;
  remove(path: string): Promise<void>;
  close(): Promise<void>;
}

const local: Place = {
  label: (path) => path,
  read: async (path) => {
    try {
      return { data: await readFile(path), mode: (await stat(path)).mode & 0o7777 };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new FileError('SRE_FILE_IO', `Cannot read ${path}`, { cause: error, details: { path } });
    }
  },
  write: (path, data, mode) => writeAtomic(path, data, mode === undefined ? {} : { mode }),
  remove: (path) => rm(path, { force: true }),
  close: async () => {},
};

async function remote(host: Host, args: z.infer<typeof Args>): Promise<Place> {
  // No signal: a rollback after Ctrl-C must still be able to write. Every step has a deadline.
  // Loaded only when an environment names a host: a local promotion never loads ssh2.
  const { openSftp } = await import('sre-kit/remote');
  const sftp = await openSftp(host, {
    ...(args['known-hosts'] ? { knownHostsPath: args['known-hosts'] } : {}),
    ...(args.identity ? { privateKeys: [args.identity] } : {}),
    operationTimeoutMs: 30_000,
  });
  return {
    label: (path) => `${sftp.host}:${path}`,
    read: async (path) => {
      const found = await sftp.stat(path);
      return found && { data: await sftp.readFile(path), mode: found.mode };
    },
    write: (path, data, mode) => sftp.writeFile(path, data, mode === undefined ? {} : { mode }),
    remove: (path) => sftp.remove(path),
    close: () => sftp.close(),
  };
}

/** Resolves with what the check saw when healthy; rejects with why not. */
async function checkHealth(health: Environment['health'], signal: AbortSignal): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await checkOnce(health, signal);
    } catch (error) {
      if (attempt >= health.attempts || signal.aborted) throw error;
      await sleep(health.intervalMs, undefined, { signal });
    }
  }
}

async function checkOnce(health: Environment['health'], signal: AbortSignal): Promise<string> {
  if (health.command) {
    const [file = '', ...rest] = health.command;
    const result = await run(file, rest, { timeoutMs: health.timeoutMs, signal });
    return `\`${result.command}\` exited 0`;
  }
  const started = performance.now();
  // A plain timer and controller (see endpoint-monitor.ts for why not AbortSignal.timeout).
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new Error(`no answer within ${health.timeoutMs} ms`)),
    health.timeoutMs,
  );
  const onAbort = () => deadline.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await fetch(health.url as string, { signal: deadline.signal, redirect: 'manual' });
    await response.body?.cancel();
    const what = `HTTP ${response.status} from ${health.url} in ${Math.round(performance.now() - started)} ms`;
    if (response.status < 200 || response.status > 299) throw new Error(what);
    return what;
  } catch (error) {
    if (deadline.signal.aborted && !signal.aborted)
      throw new Error(`${health.url}: ${deadline.signal.reason.message}`);
    // fetch says only "fetch failed"; why (ECONNREFUSED, a TLS error) is in its cause.
    const cause = error instanceof Error ? error.cause : undefined;
    if (cause instanceof Error) throw new Error(`${health.url}: ${cause.message}`, { cause: error });
    throw error;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Backs up, deploys and health-checks one environment. Resolves with `undefined` when it is
 * healthy, else with what was done about it; throws only when the rollback failed too.
 */
async function promote(
  env: Environment,
  place: Place,
  config: Buffer,
  signal: AbortSignal,
): Promise<string | undefined> {
  const backup = `${env.target}.bak`;
  let previous: Saved | undefined;
  try {
    previous = await place.read(env.target);
    if (previous) await place.write(backup, previous.data, previous.mode);
  } catch (error) {
    console.error(`${env.name}: could not back up the current config: ${reason(error)}`);
    return 'nothing was deployed there, nothing to roll back';
  }
  console.log(
    previous
      ? `${env.name}: backed up to ${place.label(backup)}`
      : `${env.name}: nothing deployed yet, no backup`,
  );
  try {
    await place.write(env.target, config);
    console.log(`${env.name}: deployed ${place.label(env.target)}`);
    console.log(`${env.name}: healthy: ${await checkHealth(env.health, signal)}`);
    return undefined;
  } catch (error) {
    console.error(`${env.name}: failed: ${reason(error)}`);
  }
  try {
    if (previous) await place.write(env.target, previous.data, previous.mode);
    else await place.remove(env.target);
  } catch (error) {
    const saved = previous
      ? `the previous config is in ${place.label(backup)}`
      : 'there was no previous config';
    throw new FileError(
      'SRE_FILE_IO',
      `Promotion stopped at ${env.name}, and its rollback failed (${saved})`,
      {
        cause: error,
      },
    );
  }
  return previous
    ? `${env.name} was rolled back: ${place.label(env.target)} restored from ${place.label(backup)}`
    : `${env.name} was rolled back: ${place.label(env.target)} removed (there was none before)`;
}

const describeHealth = (health: Environment['health']) =>
  health.url ? `GET ${health.url}` : `run ${health.command?.join(' ')}`;
const reason = (error: unknown) =>
  error instanceof Error && 'code' in error
    ? formatError(error)
    : error instanceof Error
      ? error.message
      : String(error);

await main(async ({ argv, signal }) => {
  const { values: args, positionals } = parseCliArgs(argv, {
    options: {
      environments: { type: 'string' },
      inventory: { type: 'string' },
      'known-hosts': { type: 'string' },
      identity: { type: 'string' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    schema: Args,
    allowPositionals: true,
  });
  if (args.help) return console.log(HELP);
  const [configPath, ...extra] = positionals;
  if (configPath === undefined || extra.length > 0 || !args.environments)
    throw new ConfigError('SRE_USAGE', 'Expected one config file and --environments <file> (see --help)');

  const environments = await loadEnvironments(args.environments);
  const inventory = args.inventory
    ? await (await import('sre-kit/remote')).loadInventory(args.inventory)
    : undefined;
  const hosts = new Map<string, Host>();
  for (const env of environments) {
    if (env.host === undefined) continue;
    const host = inventory?.hosts.find((candidate) => candidate.name === env.host);
    if (!host) {
      const where = inventory ? `is not in ${args.inventory}` : 'needs --inventory';
      throw new ConfigError('SRE_CONFIG_INVALID', `Environment ${env.name}: host ${env.host} ${where}`);
    }
    hosts.set(env.name, host);
  }
  await validateConfig(configPath, environments);
  const config = await readFile(configPath);
  const digest = createHash('sha256').update(config).digest('hex').slice(0, 12);
  console.log(
    `Promoting ${configPath} (${config.length} bytes, sha256 ${digest}) through ${environments.map((env) => env.name).join(' → ')}`,
  );
  for (const [index, env] of environments.entries()) {
    const where = env.host ? `${env.host}:${env.target}` : env.target;
    console.log(`  ${index + 1}. ${env.name.padEnd(10)} ${where}  (health: ${describeHealth(env.health)})`);
  }
  if (args['dry-run'])
    return console.log('Dry run: the config is valid for every environment; nothing was changed.');

  for (const [index, env] of environments.entries()) {
    const host = hosts.get(env.name);
    let outcome: string | undefined;
    let place: Place | undefined;
    try {
      place = host ? await remote(host, args) : local;
    } catch (error) {
      console.error(`${env.name}: cannot reach ${env.host}: ${reason(error)}`);
      outcome = 'nothing was deployed there, nothing to roll back';
    }
    if (place) {
      try {
        outcome = await promote(env, place, config, signal);
      } finally {
        await place.close();
      }
    }
    if (outcome === undefined) continue;
    const done = environments.slice(0, index).map((previous) => previous.name);
    const kept =
      done.length > 0 ? `; ${done.join(', ')} keep${done.length === 1 ? 's' : ''} the new config` : '';
    console.error(`Promotion stopped at ${env.name}; ${outcome}${kept}.`);
    return 1;
  }
  console.log(`Promoted to ${environments.map((env) => env.name).join(', ')}.`);
});

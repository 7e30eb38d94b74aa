import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ConfigError, fromZodError } from '../errors/index.js';
import { type Logger, noopLogger } from '../internal/logger.js';
import type { Secret } from '../secrets/secret.js';
import { parseDestination, type Target, toJump } from './collect-destination.js';
import type { CollectHost, CollectOptions, CollectProgress, RetryOptions } from './collect-options.js';
import { CollectOptionsSchema, HostsSchema, RENAMED } from './collect-schema.js';
import type { Host } from './inventory-types.js';
import { METRIC_NAMES, type MetricName } from './metrics-types.js';
import type { HostKeyPolicy } from './ssh-host-key.js';

/** The options after defaults and validation. */
export interface NormalizedCollectOptions {
  readonly targets: readonly Target[];
  readonly commands: ReadonlyArray<readonly [name: string, command: string]>;
  readonly metrics: readonly MetricName[];
  readonly cpuSampleMs: number;
  readonly concurrency: number;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly retry: Required<RetryOptions>;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((progress: CollectProgress) => void) | undefined;
  readonly logger: Logger;
  readonly privateKeys: ReadonlyArray<string | Secret>;
  readonly passphrase: Secret | undefined;
  readonly agent: string | undefined;
  readonly knownHostsPath: string;
  readonly hostKeyPolicy: HostKeyPolicy;
  readonly hashKnownHosts: boolean;
  readonly maxSessions: number;
  readonly keepaliveIntervalMs: number;
  readonly maxOutputBytes: number;
}

/**
 * Validates `collect()`'s arguments and applies the defaults, reading the environment
 * (user, home, SSH_AUTH_SOCK) now, at the call, never at import.
 *
 * @throws `SRE_USAGE` naming the option or host that is wrong.
 */
export function normalizeCollectOptions(
  fn: string,
  hosts: ReadonlyArray<string | CollectHost | Host>,
  options: CollectOptions,
): NormalizedCollectOptions {
  if (typeof options !== 'object' || options === null) throw usage(fn, 'options must be an object');
  for (const key of Object.keys(options)) {
    const renamed = RENAMED[key];
    if (renamed !== undefined) throw usage(fn, `unknown option "${key}": it is called ${renamed}`);
  }
  const parsed = CollectOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw fromZodError(parsed.error, { source: `${fn}() options`, input: options, code: 'SRE_USAGE' });
  }
  const given = parsed.data;
  const parsedHosts = HostsSchema.safeParse(hosts);
  if (!parsedHosts.success) {
    throw fromZodError(parsedHosts.error, { source: `${fn}() hosts`, input: hosts, code: 'SRE_USAGE' });
  }
  const user = given.user ?? userInfo().username;
  const defaultJump = given.jump === undefined ? undefined : toJump(fn, given.jump, user, 'option "jump"');
  const names = new Set<string>();
  const targets = parsedHosts.data.map((entry, index): Target => {
    const spec =
      typeof entry === 'string' ? { ...parseDestination(fn, entry, `hosts[${index}]`), name: entry } : entry;
    const name = spec.name ?? spec.host;
    if (names.has(name)) {
      throw usage(fn, `hosts[${index}]: the name "${name}" is used twice; every host needs its own name`);
    }
    names.add(name);
    const jump =
      'jump' in spec && spec.jump !== undefined
        ? toJump(fn, spec.jump, user, `hosts[${index}].jump`)
        : defaultJump;
    return {
      name,
      host: spec.host,
      port: spec.port ?? 22,
      user: spec.user ?? user,
      identityFile: 'identityFile' in spec ? spec.identityFile : undefined,
      jump,
    };
  });
  const retries = typeof given.retries === 'number' ? { retries: given.retries } : (given.retries ?? {});
  const metrics =
    given.metrics === true ? [...METRIC_NAMES] : given.metrics === false ? [] : (given.metrics ?? []);
  const agent = given.agent === false ? undefined : (given.agent ?? process.env.SSH_AUTH_SOCK);
  return {
    targets,
    commands: Object.entries(given.commands ?? {}),
    metrics: METRIC_NAMES.filter((name) => metrics.includes(name)),
    cpuSampleMs: given.cpuSampleMs ?? 200,
    concurrency: given.concurrency ?? 32,
    connectTimeoutMs: given.connectTimeoutMs ?? 10_000,
    commandTimeoutMs: given.commandTimeoutMs ?? 60_000,
    retry: {
      retries: retries.retries ?? 3,
      minDelayMs: retries.minDelayMs ?? 250,
      maxDelayMs: retries.maxDelayMs ?? 4000,
      factor: retries.factor ?? 2,
    },
    signal: given.signal,
    onProgress: given.onProgress,
    logger: given.logger ?? noopLogger,
    privateKeys: given.privateKeys ?? [],
    passphrase: given.passphrase,
    agent: agent === '' ? undefined : agent,
    knownHostsPath: given.knownHostsPath ?? join(homedir(), '.ssh', 'known_hosts'),
    hostKeyPolicy: given.hostKeyPolicy ?? 'strict',
    hashKnownHosts: given.hashKnownHosts ?? false,
    maxSessions: given.maxSessions ?? 10,
    keepaliveIntervalMs: given.keepaliveIntervalMs ?? 15_000,
    maxOutputBytes: given.maxOutputBytes ?? 1024 * 1024,
  };
}

function usage(fn: string, message: string): ConfigError {
  return new ConfigError('SRE_USAGE', `${fn}(): ${message}`);
}

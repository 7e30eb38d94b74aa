import { z } from 'zod';
import type { Logger } from '../internal/logger.js';
import { isSecret, type Secret } from '../secrets/secret.js';
import type { CollectProgress } from './collect-options.js';
import { METRIC_NAMES } from './metrics-types.js';

/** Names people reach for, from OpenSSH, ssh2 or other tools, and what the option is called here. */
export const RENAMED: Record<string, string> = {
  timeout: 'connectTimeoutMs',
  readyTimeout: 'connectTimeoutMs',
  connectTimeout: 'connectTimeoutMs',
  commandTimeout: 'commandTimeoutMs',
  strictHostKeyChecking: 'hostKeyPolicy',
  privateKey: 'privateKeys',
  identityFile: 'privateKeys',
  username: 'user',
  parallel: 'concurrency',
  forks: 'concurrency',
  fanout: 'concurrency',
  proxyJump: 'jump',
};

const int = (min: number, max: number) => z.int().min(min).max(max);
const word = z.string().regex(/^[^\s-]\S*$/, 'a non-empty word that does not start with "-"');
const secret = z.custom<Secret>(isSecret, 'a Secret (from sre-kit/secrets)');
const JumpObject = z.object({
  name: z.string().optional(),
  host: word,
  port: int(1, 65535).optional(),
  user: word.optional(),
  identityFile: z.string().min(1).optional(),
});
const HostObject = z.object({
  name: z.string().min(1).optional(),
  host: word,
  port: int(1, 65535).optional(),
  user: word.optional(),
  identityFile: z.string().min(1).optional(),
  jump: z.union([z.string(), JumpObject]).optional(),
});
export const HostsSchema = z.array(z.union([z.string().min(1), HostObject]));
export const CollectOptionsSchema = z.strictObject({
  commands: z.record(z.string().min(1), z.string().min(1, 'a command must not be empty')).optional(),
  metrics: z.union([z.boolean(), z.array(z.enum(METRIC_NAMES)).min(1)]).optional(),
  cpuSampleMs: int(1, 60_000).optional(),
  concurrency: int(1, 10_000).optional(),
  connectTimeoutMs: int(1, 600_000).optional(),
  commandTimeoutMs: int(1, 86_400_000).optional(),
  retries: z
    .union([
      int(0, 100),
      z.strictObject({
        retries: int(0, 100).optional(),
        minDelayMs: int(0, 600_000).optional(),
        maxDelayMs: int(0, 600_000).optional(),
        factor: z.number().min(1).max(10).optional(),
      }),
    ])
    .optional(),
  signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal, 'an AbortSignal').optional(),
  onProgress: z
    .custom<(progress: CollectProgress) => void>((value) => typeof value === 'function', 'a function')
    .optional(),
  logger: z
    .custom<Logger>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        ['debug', 'info', 'warn', 'error'].every(
          (level) => typeof (value as Record<string, unknown>)[level] === 'function',
        ),
      'a logger with debug, info, warn and error methods',
    )
    .optional(),
  user: word.optional(),
  privateKeys: z.array(z.union([z.string().min(1), secret])).optional(),
  passphrase: secret.optional(),
  agent: z.union([z.string().min(1), z.literal(false)]).optional(),
  knownHostsPath: z.string().min(1).optional(),
  hostKeyPolicy: z
    .enum(['strict', 'accept-new', 'off'], { error: "expected 'strict', 'accept-new' or 'off'" })
    .optional(),
  hashKnownHosts: z.boolean().optional(),
  jump: z.union([z.string(), JumpObject]).optional(),
  maxSessions: int(1, 1000).optional(),
  keepaliveIntervalMs: int(1, 3_600_000).optional(),
  maxOutputBytes: int(1, 1024 ** 3).optional(),
});

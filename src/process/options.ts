import type { Readable } from 'node:stream';
import { ConfigError } from '../errors/index.js';
import type { Logger } from '../internal/logger.js';
import { noopLogger } from '../internal/logger.js';
import { isSecret, type Secret } from '../secrets/secret.js';

/** Options of `run()` and `lines()`. */
export interface RunOptions {
  /** Working directory of the child. @default process.cwd() */
  cwd?: string | URL;
  /**
   * Environment variables for the child; `undefined` removes an inherited one. A `Secret`
   * is passed revealed and masked wherever output of the run is shown.
   */
  env?: Record<string, string | Secret | undefined>;
  /** Start from `process.env` and add `env` (true), or give the child only `env` (false). @default true */
  extendEnv?: boolean;
  /** Written to the child's stdin, which is then closed. Without it stdin is empty. */
  input?: string | Buffer | Uint8Array | Readable;
  /** Deadline for the whole run; then the process tree is killed. @default no deadline */
  timeoutMs?: number;
  /** Aborting it kills the process tree and rejects with `SRE_ABORTED`. */
  signal?: AbortSignal;
  /** The signal sent first to the process group. @default 'SIGTERM' */
  killSignal?: NodeJS.Signals;
  /** How long the group gets after `killSignal` before SIGKILL. @default 2000 */
  killGraceMs?: number;
  /** Bytes kept per stream; beyond it the tree is killed (`SRE_COMMAND_OUTPUT_TOO_LARGE`) unless `truncate`. @default 16 MiB */
  maxOutputBytes?: number;
  /** Past `maxOutputBytes`, keep the head and tail of the output and mark the result `truncated`. @default false */
  truncate?: boolean;
  /** `'utf8'` decodes output (invalid bytes become U+FFFD); `'buffer'` keeps bytes. @default 'utf8' */
  encoding?: 'utf8' | 'buffer';
  /** Remove one final newline from decoded output. @default true */
  stripFinalNewline?: boolean;
  /** Throw on a non-zero exit, a kill by signal or a timeout (false: return the result). @default true */
  reject?: boolean;
  /** Values masked wherever the command or its stderr is shown. Secrets in `cmd` are added. */
  redact?: readonly (string | Secret)[];
  /** Receives `debug` lines when a command starts and ends (redacted). */
  logger?: Logger;
}

/** Options after defaults and validation; internals see only this. */
export interface NormalizedRunOptions {
  cwd: string | URL | undefined;
  env: NodeJS.ProcessEnv;
  input: string | Buffer | Uint8Array | Readable | undefined;
  timeoutMs: number | undefined;
  signal: AbortSignal | undefined;
  killSignal: NodeJS.Signals;
  killGraceMs: number;
  maxOutputBytes: number;
  truncate: boolean;
  encoding: 'utf8' | 'buffer';
  stripFinalNewline: boolean;
  reject: boolean;
  redact: (string | Secret)[];
  logger: Logger;
}

const KNOWN = new Set([
  'cwd',
  'env',
  'extendEnv',
  'input',
  'timeoutMs',
  'signal',
  'killSignal',
  'killGraceMs',
  'maxOutputBytes',
  'truncate',
  'encoding',
  'stripFinalNewline',
  'reject',
  'redact',
  'logger',
]);
const RENAMED: Record<string, string> = { timeout: 'timeoutMs', maxBuffer: 'maxOutputBytes', shell: '' };

/**
 * Copies the options into a null-prototype object (so a polluted `Object.prototype` cannot
 * add `shell` or anything else), applies defaults and validates each one.
 */
export function normalizeRunOptions(fn: string, options: RunOptions = {}): NormalizedRunOptions {
  const given: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(options)) given[key] = (options as Record<string, unknown>)[key];
  for (const key of Object.keys(given)) {
    if (KNOWN.has(key)) continue;
    const renamed = Object.hasOwn(RENAMED, key) ? RENAMED[key] : undefined;
    const hint =
      renamed === ''
        ? ': sre-kit never runs a shell; run("bash", ["-c", script]) says so explicitly'
        : renamed
          ? `: it is called ${renamed}`
          : '';
    throw usage(fn, `unknown option "${key}"${hint}`);
  }
  const givenRedact = given.redact ?? [];
  if (
    !Array.isArray(givenRedact) ||
    !givenRedact.every((item) => typeof item === 'string' || isSecret(item))
  ) {
    throw usage(fn, 'option "redact" must be an array of strings or Secrets');
  }
  const redact: (string | Secret)[] = [...givenRedact];
  const extendEnv = optionalBoolean(fn, given, 'extendEnv') ?? true;
  const env = Object.create(null) as NodeJS.ProcessEnv;
  if (extendEnv) Object.assign(env, process.env);
  const extra = given.env;
  if (extra !== undefined) {
    if (typeof extra !== 'object' || extra === null)
      throw usage(fn, `option "env" must be an object, received ${typeof extra}`);
    for (const [name, value] of Object.entries(extra)) {
      if (value === undefined) delete env[name];
      else if (typeof value === 'string') env[name] = value;
      else if (isSecret(value)) {
        env[name] = value.reveal();
        redact.push(value);
      } else throw usage(fn, `option "env.${name}" must be a string, received ${typeof value}`);
    }
  }
  const encoding = given.encoding ?? 'utf8';
  if (encoding !== 'utf8' && encoding !== 'buffer')
    throw usage(fn, `option "encoding" must be "utf8" or "buffer", received ${String(encoding)}`);
  const signal = given.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw usage(fn, 'option "signal" must be an AbortSignal');
  return {
    cwd: given.cwd as string | URL | undefined,
    env,
    input: given.input as NormalizedRunOptions['input'],
    timeoutMs: optionalNumber(fn, given, 'timeoutMs'),
    signal,
    killSignal: (given.killSignal as NodeJS.Signals | undefined) ?? 'SIGTERM',
    killGraceMs: optionalNumber(fn, given, 'killGraceMs') ?? 2000,
    maxOutputBytes: optionalNumber(fn, given, 'maxOutputBytes') ?? 16 * 1024 * 1024,
    truncate: optionalBoolean(fn, given, 'truncate') ?? false,
    encoding,
    stripFinalNewline: optionalBoolean(fn, given, 'stripFinalNewline') ?? true,
    reject: optionalBoolean(fn, given, 'reject') ?? true,
    redact,
    logger: (given.logger as Logger | undefined) ?? noopLogger,
  };
}

function optionalBoolean(fn: string, given: Record<string, unknown>, name: string): boolean | undefined {
  const value = given[name];
  if (value === undefined || typeof value === 'boolean') return value;
  throw usage(fn, `option "${name}" must be a boolean, received ${typeof value}`);
}

function optionalNumber(fn: string, given: Record<string, unknown>, name: string): number | undefined {
  const value = given[name];
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  throw usage(fn, `option "${name}" must be a non-negative number, received ${String(value)}`);
}

function usage(fn: string, message: string): ConfigError {
  return new ConfigError('SRE_USAGE', `${fn}(): ${message}`);
}

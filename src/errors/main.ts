import type { Logger } from '../internal/logger.js';
import { AbortError, ensureError } from './classes.js';
import { formatError } from './format.js';
import { isSreError } from './guards.js';
import { fromZodError } from './zod.js';

/** What `main()` hands to the script. */
export interface MainContext {
  /** Aborted on the first SIGINT or SIGTERM; pass it to everything that waits. */
  signal: AbortSignal;
  /** Writes `level message {json}` lines to stderr; `debug` only when `DEBUG` is set. */
  logger: Logger;
  /** The script's own arguments (`process.argv.slice(2)`). */
  argv: string[];
}

/** Options of {@link main}. */
export interface MainOptions {
  /**
   * The logger handed to the script.
   * @default a stderr logger
   */
  logger?: Logger;
  /**
   * The signals that abort the script.
   * @default ['SIGINT', 'SIGTERM']
   */
  signals?: NodeJS.Signals[];
}

/**
 * Runs a script. The first SIGINT or SIGTERM aborts `signal`, and once the script has
 * cleaned up and returned, the same signal is raised again so the shell sees it; a second
 * signal ends the process at once. A failure prints one line to stderr
 * (`error SRE_LOCK_TIMEOUT: …`) and sets `process.exitCode` from the error (sysexits.h;
 * 70 for errors that are not sre-kit's). With `DEBUG` set the whole cause chain prints with
 * stacks. A number returned by the script becomes the exit code. `process.exit()` is never
 * called, so piped output is never cut short.
 *
 * @example
 * ```ts
 * import { main, ConfigError } from 'sre-kit/errors';
 *
 * await main(async ({ signal, argv, logger }) => {
 *   if (argv.length === 0) throw new ConfigError('SRE_USAGE', 'usage: backup.ts <dir>');
 *   logger.info({ dir: argv[0] }, 'backing up');
 *   await backup(argv[0], { signal });
 * });
 * ```
 */
export async function main(
  script: (context: MainContext) => unknown | Promise<unknown>,
  options: MainOptions = {},
): Promise<void> {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received !== undefined) {
      removeHandlers();
      process.kill(process.pid, signal);
      return;
    }
    received = signal;
    controller.abort(new AbortError('SRE_ABORTED', `Interrupted by ${signal}`, { details: { signal } }));
  };
  const removeHandlers = () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
  for (const signal of signals) process.on(signal, onSignal);

  const logger = options.logger ?? createStderrLogger();
  try {
    const result = await script({ signal: controller.signal, logger, argv: process.argv.slice(2) });
    if (typeof result === 'number') process.exitCode = result;
  } catch (thrown) {
    const error = normalizeScriptError(thrown);
    const abortedBySignal = received !== undefined && isAbortLike(error);
    if (!abortedBySignal) reportFailure(error);
    process.exitCode = isSreError(error) ? error.exitCode : 70;
  } finally {
    removeHandlers();
  }
  if (received !== undefined) {
    await flushStdio();
    process.kill(process.pid, received);
  }
}

function normalizeScriptError(thrown: unknown): Error {
  const error = ensureError(thrown);
  const issues = (error as { issues?: unknown }).issues;
  if (error.name === 'ZodError' && Array.isArray(issues)) return fromZodError(error as never);
  return error;
}

/** Whether the error, or one of its causes, is the abort that a signal started. */
function isAbortLike(error: Error): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (current.name === 'AbortError' || (isSreError(current) && current.code === 'SRE_ABORTED')) return true;
    current = current.cause;
  }
  return false;
}

function reportFailure(error: Error): void {
  if (process.env.DEBUG) {
    process.stderr.write(`error ${formatError(error, { stack: true })}\n`);
    return;
  }
  const text = formatError(error).replace(/\s*[\r\n]+\s*/g, ' ');
  process.stderr.write(isSreError(error) ? `error ${text}\n` : `error: ${text}\n`);
}

function flushStdio(): Promise<unknown> {
  return Promise.all(
    [process.stdout, process.stderr].map((stream) => new Promise((done) => stream.write('', done))),
  );
}

function createStderrLogger(): Logger {
  const write = (level: string) => (object: Record<string, unknown>, message?: string) => {
    const context = Object.keys(object).length > 0 ? ` ${safeJson(object)}` : '';
    process.stderr.write(`${level} ${message ?? ''}${context}\n`);
  };
  return {
    debug: (object, message) => {
      if (process.env.DEBUG) write('debug')(object, message);
    },
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '[unserialisable]';
  }
}

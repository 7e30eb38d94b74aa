import { parseCall } from './call.js';
import { ChildRun } from './child.js';
import type { Command } from './command.js';
import { aborted, exitFailure, outputTooLarge } from './failures.js';
import { type NormalizedRunOptions, normalizeRunOptions, type RunOptions } from './options.js';
import { OutputCollector } from './output.js';

/** What a finished command did. Plain data: safe to log or `JSON.stringify` (`stdout`/`stderr` aside). */
export interface RunResult<Output extends string | Buffer = string> {
  /** The command as a shell would read it, quoted for copy and paste, secrets masked. */
  readonly command: string;
  /** The exit code, or `null` when the process was ended by a signal. */
  readonly exitCode: number | null;
  /** The signal that ended the process (`'SIGKILL'`), or `null`. */
  readonly exitSignal: NodeJS.Signals | null;
  readonly stdout: Output;
  readonly stderr: Output;
  readonly durationMs: number;
  /** Whether the deadline passed and the tree was killed (only seen with `reject: false`). */
  readonly timedOut: boolean;
  /** Whether output was cut in the middle (`truncate: true`). */
  readonly truncated: boolean;
  readonly pid: number;
}

/** Options of a run whose output is kept as bytes. */
export type RunBufferOptions = RunOptions & { encoding: 'buffer' };

/**
 * Runs a command without a shell and waits for it. The child gets its own process group,
 * so a timeout, an abort or an output overflow kills the whole tree (the kill signal,
 * then SIGKILL after `killGraceMs`). Output is bounded per stream. A non-zero exit throws
 * `SRE_COMMAND_FAILED` with the last 4 KiB of stderr in `details` (unless `reject: false`).
 * Whatever happens, the call settles within `timeoutMs + killGraceMs` and a short drain.
 *
 * Call it as `run(file, args?, options?)` (the executable, looked up on PATH, and its
 * arguments, each passed as is) or `run(cmd\`…\`, options?)`.
 * @throws `SRE_COMMAND_USAGE`, `SRE_COMMAND_NOT_FOUND`, `SRE_COMMAND_NOT_EXECUTABLE`,
 *   `SRE_COMMAND_FAILED`, `SRE_COMMAND_TIMEOUT`, `SRE_COMMAND_OUTPUT_TOO_LARGE`, `SRE_ABORTED`.
 *
 * @example
 * ```ts
 * import { run } from 'sre-kit/process';
 *
 * const { stdout } = await run('git', ['rev-parse', 'HEAD'], { cwd: '/srv/app', timeoutMs: 5_000 });
 * await run('pg_dump', ['--dbname', url.reveal()], { redact: [url], timeoutMs: 600_000 });
 * ```
 */
export function run(command: Command, options: RunBufferOptions): Promise<RunResult<Buffer>>;
export function run(command: Command, options?: RunOptions): Promise<RunResult>;
export function run(
  file: string,
  args: readonly string[],
  options: RunBufferOptions,
): Promise<RunResult<Buffer>>;
export function run(file: string, options: RunBufferOptions): Promise<RunResult<Buffer>>;
export function run(file: string, args?: readonly string[], options?: RunOptions): Promise<RunResult>;
export function run(file: string, options?: RunOptions): Promise<RunResult>;
export async function run(
  first: string | Command,
  second?: readonly string[] | RunOptions,
  third?: RunOptions,
): Promise<RunResult<string | Buffer>> {
  const call = parseCall('run', first, second, third);
  const options = normalizeRunOptions('run', call.options);
  const started = await ChildRun.start(call.file, call.args, options, call.secrets);
  const { child } = started;
  const stdout = new OutputCollector(options.maxOutputBytes, options.truncate);
  const stderr = new OutputCollector(options.maxOutputBytes, options.truncate);
  let overflow: 'stdout' | 'stderr' | undefined;
  const collect = (collector: OutputCollector, name: 'stdout' | 'stderr') => (chunk: Buffer) => {
    if (overflow !== undefined || collector.add(chunk)) return;
    overflow = name;
    started.stop('overflow');
  };
  child.stdout?.on('data', collect(stdout, 'stdout'));
  child.stderr?.on('data', collect(stderr, 'stderr'));

  const { exitCode, exitSignal } = await started.exited;
  await started.drain();
  await started.finish();
  const { context } = started;
  const reason = started.stopReason;
  options.logger.debug(
    { command: context.command, exitCode, exitSignal, durationMs: context.durationMs },
    'command ended',
  );

  if (reason === 'abort' && options.signal) throw aborted(options.signal, context);
  if (reason === 'overflow' && overflow) throw outputTooLarge(overflow, options.maxOutputBytes, context);
  const timedOut = reason === 'timeout';
  if (options.reject && (timedOut || exitCode !== 0)) {
    throw exitFailure(
      { exitCode, exitSignal, timedOut, timeoutMs: options.timeoutMs, stderrTail: stderr.tailText(4096) },
      context,
    );
  }
  return {
    command: context.command,
    exitCode,
    exitSignal,
    stdout: decode(stdout, options),
    stderr: decode(stderr, options),
    durationMs: context.durationMs,
    timedOut,
    truncated: stdout.truncated || stderr.truncated,
    pid: child.pid,
  };
}

function decode(collector: OutputCollector, options: NormalizedRunOptions): string | Buffer {
  const bytes = collector.toBuffer();
  if (options.encoding === 'buffer') return bytes;
  const text = bytes.toString('utf8');
  if (!options.stripFinalNewline) return text;
  return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
}

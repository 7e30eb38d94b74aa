import { existsSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { AbortError, CommandError, FileError, type SreError } from '../errors/index.js';
import type { Redactor } from '../secrets/redact.js';

/** What a failed run knew; the same fields a result has, all redacted. */
export interface FailureContext {
  command: string;
  file: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  pid: number | undefined;
  durationMs: number;
  redactor: Redactor;
}

const STDERR_TAIL_BYTES = 4096;

/** Turns the error `spawn` reports (ENOENT, EACCES…) into a precise CommandError. */
export function spawnFailure(error: NodeJS.ErrnoException, context: FailureContext): SreError {
  const details = { command: context.command, cwd: context.cwd };
  if (error.code === 'ENOENT' && !existsSync(context.cwd)) {
    return new FileError(
      'SRE_FILE_NOT_FOUND',
      `Cannot run ${context.command}: the working directory ${context.cwd} does not exist`,
      {
        cause: error,
        details,
      },
    );
  }
  if (error.code === 'ENOENT') {
    const searched = context.file.includes('/')
      ? []
      : (context.env.PATH ?? '').split(delimiter).filter(Boolean);
    const where = searched.length > 0 ? `; searched PATH: ${searched.join(delimiter)}` : '';
    const path = isAbsolute(context.file)
      ? context.file
      : context.file.includes('/')
        ? join(context.cwd, context.file)
        : undefined;
    return new CommandError(
      'SRE_COMMAND_NOT_FOUND',
      `Command not found: ${context.redactor.redact(context.file)}${where}`,
      {
        cause: error,
        details: { ...details, searchedPath: searched, ...(path ? { path } : {}) },
      },
    );
  }
  if (error.code === 'EACCES' || error.code === 'ENOEXEC') {
    const why = isDirectory(context.file, context.cwd)
      ? 'it is a directory'
      : 'it is not executable (check its mode and #! line)';
    return new CommandError(
      'SRE_COMMAND_NOT_EXECUTABLE',
      `Cannot execute ${context.redactor.redact(context.file)}: ${why}`,
      {
        cause: error,
        details,
      },
    );
  }
  return new CommandError(
    'SRE_COMMAND_FAILED',
    `Cannot start ${context.command}: ${context.redactor.redact(error.message)}`,
    {
      cause: error,
      details,
    },
  );
}

/** Outcome of a run that ended with a non-zero exit, a signal or a timeout. */
export interface EndState {
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  timedOut: boolean;
  timeoutMs: number | undefined;
  stderrTail: string;
}

/** The error for a run that finished badly. */
export function exitFailure(state: EndState, context: FailureContext): CommandError {
  const stderrTail = context.redactor.redact(state.stderrTail.slice(-STDERR_TAIL_BYTES));
  const lastLine = stderrTail.trimEnd().split('\n').pop()?.trim().slice(0, 300) ?? '';
  const details = {
    command: context.command,
    exitCode: state.exitCode,
    exitSignal: state.exitSignal,
    durationMs: context.durationMs,
    pid: context.pid ?? null,
    timedOut: state.timedOut,
    stderrTail,
  };
  const suffix = lastLine ? `: ${lastLine}` : '';
  if (state.timedOut) {
    return new CommandError(
      'SRE_COMMAND_TIMEOUT',
      `Command timed out after ${state.timeoutMs} ms and was killed: ${context.command}`,
      { details },
    );
  }
  const how = state.exitSignal
    ? `was killed by ${state.exitSignal}`
    : `failed with exit code ${state.exitCode}`;
  return new CommandError('SRE_COMMAND_FAILED', `Command ${how}: ${context.command}${suffix}`, { details });
}

/** The error for output that passed `maxOutputBytes`. */
export function outputTooLarge(
  stream: 'stdout' | 'stderr',
  limit: number,
  context: FailureContext,
): CommandError {
  return new CommandError(
    'SRE_COMMAND_OUTPUT_TOO_LARGE',
    `Command wrote more than ${limit} bytes to ${stream} and was killed: ${context.command} (raise maxOutputBytes, use truncate: true, or stream it with lines())`,
    {
      details: {
        command: context.command,
        stream,
        maxOutputBytes: limit,
        durationMs: context.durationMs,
        pid: context.pid ?? null,
      },
    },
  );
}

/** The error for a run stopped through its signal; the signal's reason is the cause. */
export function aborted(
  signal: AbortSignal,
  context: Pick<FailureContext, 'command' | 'durationMs'>,
): AbortError {
  return new AbortError('SRE_ABORTED', `Command aborted: ${context.command}`, {
    cause: signal.reason,
    details: { command: context.command, durationMs: context.durationMs },
  });
}

function isDirectory(file: string, cwd: string): boolean {
  try {
    return statSync(isAbsolute(file) ? file : join(cwd, file)).isDirectory();
  } catch {
    return false;
  }
}

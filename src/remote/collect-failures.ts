import { isSreError, RemoteError, SreError } from '../errors/index.js';
import type { SshSession } from './ssh-connect.js';
import { abortedError } from './ssh-errors.js';
import type { CommandResult, HostError } from './types.js';

/** A command that exited non-zero, as the host's failure. */
export function nonZeroExit(name: string, result: CommandResult | undefined): RemoteError | undefined {
  if (result === undefined || result.exitCode === 0) return undefined;
  const firstLine = result.stderr.trim().split('\n', 1)[0]?.slice(0, 200) ?? '';
  return new RemoteError(
    'SRE_REMOTE_COMMAND_FAILED',
    `Command ${name} exited with ${result.exitCode}${firstLine === '' ? '' : `: ${firstLine}`}`,
    { details: { command: name, exitCode: result.exitCode } },
  );
}

/** The failure a host is reported with: an abort first, then a lost connection, then the first in command order. */
export function pickFailure(failures: readonly unknown[], session: SshSession, signal: AbortSignal): unknown {
  if (failures.length === 0) return undefined;
  if (signal.aborted) return abortedError(signal, 'while commands ran');
  if (session.lost !== undefined) return session.lost;
  const first = failures[0];
  if (failures.length === 1) return first;
  const { code, message } = toHostError(first, signal);
  return {
    code,
    message: `${message} (and ${failures.length - 1} more failure${failures.length > 2 ? 's' : ''})`,
  };
}

/** A failure as results show it; once the run is aborted, every failure reads as the abort. */
export function toHostError(error: unknown, signal: AbortSignal): HostError {
  if (signal.aborted && !(isSreError(error) && error.code === 'SRE_ABORTED')) {
    return toHostError(abortedError(signal, 'before the host finished'), signal);
  }
  if (error instanceof SreError || isSreError(error)) return { code: error.code, message: error.message };
  if (typeof error === 'object' && error !== null && 'code' in error && 'message' in error) {
    return { code: String(error.code), message: String(error.message) };
  }
  return { code: 'SRE_INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

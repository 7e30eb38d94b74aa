import type { HostMetrics } from './metrics-types.js';

/** What one named command did on one host. */
export interface CommandResult {
  /** `null` when the command did not exit by itself (killed at its timeout, channel closed). */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** Why a host is not ok: a stable `SRE_*` code and a one-line message. */
export interface HostError {
  readonly code: string;
  readonly message: string;
}

/**
 * The outcome for one host of `collect` / `collectStream`: every host of the input appears
 * exactly once, whatever happened. Plain JSON: it survives `JSON.stringify` / `JSON.parse`.
 */
export interface HostResult {
  /** The host's inventory name. */
  readonly host: string;
  readonly ok: boolean;
  /** ISO 8601 time the work on this host started. */
  readonly startedAt: string;
  readonly durationMs: number;
  /** Per command name; a command that never started is absent. */
  readonly commands: Readonly<Record<string, CommandResult>>;
  /** Present when metrics were asked for and the host was reached. */
  readonly metrics?: HostMetrics;
  /** Present when `ok` is false. */
  readonly error?: HostError;
}

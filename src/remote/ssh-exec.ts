import type { Client, ClientChannel } from 'ssh2';
import { CommandError, RemoteError, type SreError } from '../errors/index.js';
import { remoteCommandLine } from './ssh-command-line.js';
import { abortedError } from './ssh-errors.js';
import type { CommandResult } from './types.js';

/** Tries of a channel refused while no other is open (sshd may lag behind closes). */
const STALE_REFUSAL_TRIES = 4;

/** The channels open on one connection, shared by the commands that run on it. */
export interface ChannelCount {
  /** Open, or asked for and not yet refused. */
  open: number;
  /** Commands whose channel was refused, woken when another channel closes. */
  readonly waiting: Set<() => void>;
}

export function createChannelCount(): ChannelCount {
  return { open: 0, waiting: new Set() };
}

/** What {@link execCommand} needs. */
export interface ExecOptions {
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
  readonly signal: AbortSignal;
  /** Why the connection ended, if it did: reported instead of a bare "channel closed". */
  readonly lost: () => RemoteError | undefined;
  /** The channels open or being opened on the connection, counted by the commands that share it. */
  readonly channels: ChannelCount;
}

/** A command's result, and the error that stopped it (never a plain non-zero exit). */
export interface ExecOutcome {
  /** Absent when the command never started (the channel could not be opened). */
  readonly result?: CommandResult;
  readonly error?: SreError;
}

/**
 * Runs one command on a connection: its own channel, stdout and stderr kept up to
 * `maxOutputBytes` each, the channel closed at `timeoutMs` or on abort. Never rejects.
 */
export function execCommand(
  client: Client,
  name: string,
  command: string,
  options: ExecOptions,
): Promise<ExecOutcome> {
  const started = performance.now();
  const { signal } = options;
  if (signal.aborted) return Promise.resolve({ error: abortedError(signal, `before command ${name}`) });
  return new Promise((resolve) => {
    let channel: ClientChannel | undefined;
    let stopped: SreError | undefined;
    let exitCode: number | null = null;
    const stdout = new Output(options.maxOutputBytes);
    const stderr = new Output(options.maxOutputBytes);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      // Stopped before its channel opened: the command never started, so it has no result.
      if (channel === undefined && stopped !== undefined) return resolve({ error: stopped });
      const result: CommandResult = {
        exitCode: stopped === undefined ? exitCode : null,
        stdout: stdout.text(),
        stderr: stderr.text(),
        durationMs: Math.round(performance.now() - started),
      };
      resolve(stopped === undefined ? { result } : { result, error: stopped });
    };
    const stop = (error: SreError) => {
      stopped ??= error;
      // Closing the channel closes the command's stdin on the host: the watchdog kills it.
      channel?.close();
      if (channel === undefined) finish();
      else setImmediate(finish);
    };
    const timer = setTimeout(
      () =>
        stop(
          new RemoteError(
            'SRE_REMOTE_COMMAND_TIMEOUT',
            `Command ${name} did not finish within ${options.timeoutMs} ms; it was stopped`,
            { details: { command: name, commandTimeoutMs: options.timeoutMs } },
          ),
        ),
      options.timeoutMs,
    );
    const onAbort = () => stop(abortedError(signal, `while command ${name} ran`));
    signal.addEventListener('abort', onAbort, { once: true });

    const open = (attempt: number) => {
      options.channels.open++;
      client.exec(remoteCommandLine(command), (error, opened) => {
        if (error) {
          options.channels.open--;
          if (done) return;
          // sshd frees a session slot only some time after the channel's close arrives, so
          // a channel opened right after another closed can be refused ("no more sessions").
          // The command has not started: opening again is safe.
          // So a refusal while other channels are open waits for one to close (or a short
          // while, for sshd to catch up) and tries again, until the command's deadline. With
          // no other channel open, sshd may still be counting ones that just closed: a few
          // more tries, then the refusal is final.
          const refused = typeof (error as { reason?: unknown }).reason === 'number';
          const others = options.channels.open > 0 || attempt < STALE_REFUSAL_TRIES;
          if (refused && others && options.lost() === undefined) {
            const retry = () => {
              clearTimeout(wait);
              options.channels.waiting.delete(retry);
              if (!done) open(attempt + 1);
            };
            const wait = setTimeout(retry, Math.min(25 * 2 ** attempt, 400));
            options.channels.waiting.add(retry);
            return;
          }
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          done = true;
          const lost = options.lost();
          return resolve({
            error:
              lost ??
              new RemoteError('SRE_REMOTE_COMMAND_FAILED', `Cannot start command ${name}: ${error.message}`, {
                cause: error,
                details: { command: name },
              }),
          });
        }
        attach(opened);
      });
    };
    const attach = (opened: ClientChannel) => {
      opened.on('close', () => {
        options.channels.open--;
        // A slot may be free now; sshd needs a moment to see it, hence the small delay.
        for (const wake of [...options.channels.waiting]) setTimeout(wake, 10);
      });
      if (done) {
        opened.close();
        return;
      }
      channel = opened;
      const onData = (output: Output, stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
        if (output.add(chunk)) return;
        stop(
          new CommandError(
            'SRE_COMMAND_OUTPUT_TOO_LARGE',
            `Command ${name} wrote more than ${options.maxOutputBytes} bytes to ${stream}; it was stopped`,
            { details: { command: name, stream, maxOutputBytes: options.maxOutputBytes } },
          ),
        );
      };
      opened.on('data', onData(stdout, 'stdout'));
      opened.stderr.on('data', onData(stderr, 'stderr'));
      opened.on('exit', (code: number | null) => {
        exitCode = typeof code === 'number' ? code : null;
      });
      opened.on('error', () => {});
      opened.on('close', () => {
        const lost = options.lost();
        if (lost !== undefined && stopped === undefined && exitCode === null) stopped = lost;
        finish();
      });
    };
    open(0);
  });
}

/** A stream's bytes up to a limit. */
class Output {
  readonly #chunks: Buffer[] = [];
  #bytes = 0;
  constructor(readonly limit: number) {}

  /** Keeps what fits; false once the limit is passed. */
  add(chunk: Buffer): boolean {
    const room = this.limit - this.#bytes;
    if (room > 0) this.#chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    this.#bytes += chunk.length;
    return this.#bytes <= this.limit;
  }

  /** The text, with one final newline removed (as `run()` does). */
  text(): string {
    return Buffer.concat(this.#chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
}

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createRedactor, type Redactor } from '../secrets/redact.js';
import type { Secret } from '../secrets/secret.js';
import { formatCommand } from './command.js';
import { aborted, type FailureContext, spawnFailure } from './failures.js';
import type { NormalizedRunOptions } from './options.js';
import { killGroup } from './tree.js';

/** Why a run was stopped before it ended by itself. */
export type StopReason = 'timeout' | 'abort' | 'overflow' | 'cleanup';

/** How long output is still read after the child exited, for pipes an escaped grandchild holds open. */
const DRAIN_MS = 250;

/**
 * One started child with a lifetime: its own process group, the deadline and abort
 * wiring, the kill escalation and the bounded drain of its pipes. `run()` and `lines()`
 * both stand on it.
 */
export class ChildRun {
  readonly child: ChildProcess & { pid: number };
  readonly context: FailureContext;
  readonly exited: Promise<{ exitCode: number | null; exitSignal: NodeJS.Signals | null }>;
  readonly startedAt: number;
  stopReason: StopReason | undefined;
  #killing: Promise<void> | undefined;
  readonly #options: NormalizedRunOptions;
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #onAbort: () => void;
  #exited = false;

  private constructor(
    child: ChildProcess & { pid: number },
    context: FailureContext,
    options: NormalizedRunOptions,
    startedAt: number,
  ) {
    this.child = child;
    this.context = context;
    this.#options = options;
    this.startedAt = startedAt;
    this.exited = new Promise((resolve) => {
      child.once('exit', (exitCode, exitSignal) => {
        this.#exited = true;
        resolve({ exitCode, exitSignal });
      });
    });
    this.#onAbort = () => this.stop('abort');
    options.signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#timer =
      options.timeoutMs === undefined ? undefined : setTimeout(() => this.stop('timeout'), options.timeoutMs);
  }

  /** Spawns without a shell in a new process group; rejects with a precise error when it cannot start. */
  static async start(
    file: string,
    args: readonly string[],
    options: NormalizedRunOptions,
    secrets: readonly Secret[],
  ): Promise<ChildRun> {
    const redactor = createRedactor([...options.redact, ...secrets], { patterns: true });
    const cwd = options.cwd instanceof URL ? fileURLToPath(options.cwd) : (options.cwd ?? process.cwd());
    const context: FailureContext = {
      command: redactor.redact(formatCommand(file, args)),
      file,
      cwd,
      env: options.env,
      pid: undefined,
      durationMs: 0,
      redactor,
    };
    const startedAt = performance.now();
    if (options.signal?.aborted) throw aborted(options.signal, context);
    const child = spawn(file, args, {
      cwd,
      env: options.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
      shell: false,
      windowsHide: true,
    });
    const spawnError = await new Promise<Error | undefined>((resolve) => {
      const onError = (error: Error) => {
        child.off('spawn', onSpawn);
        resolve(error);
      };
      const onSpawn = () => {
        child.off('error', onError);
        resolve(undefined);
      };
      child.once('error', onError).once('spawn', onSpawn);
    });
    if (spawnError !== undefined) {
      context.durationMs = performance.now() - startedAt;
      throw spawnFailure(spawnError as NodeJS.ErrnoException, context);
    }
    context.pid = child.pid;
    options.logger.debug({ command: context.command, pid: child.pid }, 'command started');
    const started = new ChildRun(child as ChildProcess & { pid: number }, context, options, startedAt);
    started.#feedInput();
    return started;
  }

  /** The redactor for everything shown of this run. */
  get redactor(): Redactor {
    return this.context.redactor;
  }

  /** Stops the run: signals the whole group, escalating to SIGKILL. The first reason wins. */
  stop(reason: StopReason): void {
    if (this.#killing !== undefined) return;
    this.stopReason ??= reason;
    this.#killing = killGroup(this.child.pid, this.#options.killSignal, this.#options.killGraceMs).catch(
      () => {},
    );
  }

  /**
   * Waits until stdout and stderr have ended, but at most {@link DRAIN_MS} after the child
   * exited: a grandchild that escaped the group may hold the pipes open forever.
   */
  async drain(): Promise<void> {
    const streams = [this.child.stdout, this.child.stderr].filter((stream) => stream !== null);
    const ended = Promise.all(
      streams.map((stream) =>
        stream.readableEnded || stream.destroyed ? undefined : once(stream, 'close').catch(() => {}),
      ),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, DRAIN_MS);
    });
    await Promise.race([ended, timeout]);
    clearTimeout(timer);
    for (const stream of streams) stream.destroy();
  }

  /** Ends the run's lifetime: kills what is left if asked, waits for the kill, frees timers and listeners. */
  async finish(): Promise<void> {
    if (!this.#exited) this.stop('cleanup');
    await this.#killing;
    clearTimeout(this.#timer);
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.context.durationMs = performance.now() - this.startedAt;
  }

  #feedInput(): void {
    const { input } = this.#options;
    const stdin = this.child.stdin;
    if (input === undefined || stdin === null) return;
    // A child may exit without reading its input; EPIPE then is not the run's failure.
    stdin.on('error', () => {});
    if (typeof input === 'string' || input instanceof Uint8Array) stdin.end(input);
    else pipeline(input, stdin).catch(() => {});
  }
}

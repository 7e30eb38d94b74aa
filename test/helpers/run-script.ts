import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: the cwd scripts run in, so `tsx` and the tsconfig paths resolve. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The tsx binary of the repository, for running an example the way a user would. */
export const tsxBin = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

/** How a child script ended, with everything it printed. */
export interface ScriptResult {
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A child script that is still running. */
export interface RunningScript {
  child: ChildProcess;
  /** What it has printed so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves once stdout matches `pattern`; rejects after `timeoutMs` or if the child ends first. */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves when the child has ended; after `timeoutMs` it is killed with SIGKILL and this rejects. */
  done(timeoutMs?: number): Promise<ScriptResult>;
}

export interface StartScriptOptions {
  /** Variables added to (or, when `undefined`, removed from) the test's environment. */
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/**
 * Starts `command args` with piped stdio. `DEBUG` is removed from the environment unless
 * `env` sets it, so a developer's shell does not change what the tests see.
 */
export function startScript(
  command: string,
  args: string[],
  options: StartScriptOptions = {},
): RunningScript {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DEBUG;
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  // The tsx binary starts a second Node process to run the script; `node --import tsx` runs
  // it in one, which halves the start-up time and delivers signals to the script itself.
  const [file, argv] =
    command === tsxBin ? [process.execPath, ['--import', 'tsx', ...args]] : [command, args];
  const child = spawn(file, argv, {
    cwd: options.cwd ?? repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let isClosed = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  // 'close' (not 'exit') so that all output has been read when `done` resolves.
  const closed = new Promise<ScriptResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode, exitSignal) => {
      isClosed = true;
      resolve({ exitCode, exitSignal, stdout, stderr });
    });
  });
  closed.catch(() => {});
  const describe = () => `\n--- stdout:\n${stdout.slice(-2000)}\n--- stderr:\n${stderr.slice(-2000)}`;

  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    waitForStdout(pattern, timeoutMs = 20_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!pattern.test(stdout)) return;
          cleanup();
          resolve();
        };
        const onClose = () => {
          cleanup();
          reject(new Error(`child ended before printing ${pattern}${describe()}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} on stdout within ${timeoutMs} ms${describe()}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          child.stdout?.off('data', check);
          child.off('close', onClose);
        };
        child.stdout?.on('data', check);
        child.once('close', onClose);
        check();
        if (isClosed) onClose();
      });
    },
    async done(timeoutMs = 120_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`child still running after ${timeoutMs} ms; killed${describe()}`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([closed, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs `command args` to the end (bounded by `timeoutMs`) and returns how it ended. */
export function runScript(
  command: string,
  args: string[],
  options: StartScriptOptions & { timeoutMs?: number } = {},
): Promise<ScriptResult> {
  return startScript(command, args, options).done(options.timeoutMs);
}

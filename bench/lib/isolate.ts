import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MARKER = '@@bench-result ';

/**
 * Runs a TypeScript worker script in a fresh Node process (with tsx) and returns the value
 * it passed to {@link reportResult}. A fresh process per measurement keeps one tool's heap,
 * JIT state and peak RSS out of another's numbers. The worker's stderr is passed through;
 * past `timeoutMs` it is killed and the promise rejects. `tsx: false` runs a script already
 * built to JavaScript with plain Node.
 */
export function runIsolated<T>(
  script: URL,
  args: readonly string[],
  timeoutMs: number,
  { tsx = true }: { tsx?: boolean } = {},
): Promise<T> {
  const loader = tsx ? ['--import', import.meta.resolve('tsx')] : [];
  const child = spawn(process.execPath, [...loader, fileURLToPath(script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (exitCode, exitSignal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((text) => text.startsWith(MARKER));
      if (exitCode === 0 && line !== undefined) return resolve(JSON.parse(line.slice(MARKER.length)) as T);
      const how =
        exitSignal === 'SIGKILL' ? `killed after ${timeoutMs} ms` : `exit ${exitSignal ?? exitCode}`;
      reject(new Error(`bench worker ${fileURLToPath(script)} ${args.join(' ')}: ${how}`));
    });
  });
}

/** Hands a worker's result (JSON-serialisable) to the {@link runIsolated} that started it. */
export function reportResult(value: unknown): void {
  process.stdout.write(`${MARKER}${JSON.stringify(value)}\n`);
}

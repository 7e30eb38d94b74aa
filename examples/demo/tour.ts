/** What every step of the tour (examples/demo.ts) shares: how it prints, and how it runs an example script. */
import { fileURLToPath } from 'node:url';
import { type RunResult, run } from 'sre-kit/process';

/** What each step gets: Ctrl-C's signal and a temp folder that the driver removes at the end. */
export interface TourContext {
  readonly signal: AbortSignal;
  readonly dir: string;
}

/** Prints a step's title. */
export const step = (title: string): void => console.log(`\n== ${title}`);

/** Prints a line of a step, indented under its title. */
export const say = (text: string): void => console.log(`   ${text}`);

/** Prints what a script printed, indented, stderr lines marked. */
export function show(result: Pick<RunResult, 'stdout' | 'stderr'>): void {
  for (const line of String(result.stdout).split('\n')) if (line.trim()) say(`| ${line}`);
  for (const line of String(result.stderr).split('\n')) if (line.trim()) say(`| (stderr) ${line}`);
}

/** The absolute path of a script of examples/. */
export const example = (name: string): string => fileURLToPath(new URL(`../${name}`, import.meta.url));

/**
 * Runs an example script the way a user would (`node --import tsx examples/<name> …`), with a
 * deadline so that the tour cannot hang; a non-zero exit is returned, not thrown.
 */
export function runExample(name: string, args: readonly string[], context: TourContext): Promise<RunResult> {
  return run(process.execPath, ['--import', 'tsx', example(name), ...args], {
    signal: context.signal,
    timeoutMs: 30_000,
    reject: false,
  });
}

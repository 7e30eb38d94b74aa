// How the contenders run: the words every tool looks for, a tool run once per level, one
// command or pipeline over the file, a measurement in a fresh Node process.
import { execFileSync } from 'node:child_process';
import { DEFAULT_ALIASES, LEVELS, type Level } from 'sre-kit/logs';
import { runIsolated } from '../lib/isolate.js';
import { runChild } from './child.js';
import type { NodeJob, Outcome } from './outcome.js';

/** Plain text or its gzip. */
export type Input = 'plain' | 'gzip';

/** The file one contender counts. */
export interface Target {
  path: string;
  input: Input;
  /** Uncompressed bytes. */
  bytes: number;
}

/** One way of counting (or only reading) a log. */
export interface Contender {
  name: string;
  role: 'floor' | 'sre-kit' | 'tool';
  inputs: readonly Input[];
  /** What runs, as an engineer would type it. */
  label(input: Input): string;
  /** Where it is too slow for the big file: in full mode it counts the small one there, its time scaled. */
  slowOn?: readonly Input[];
  measure(target: Target, budgetMs: number): Promise<Outcome>;
}

/**
 * Every tool looks for the same words: the canonical names and the aliases countLevels folds
 * into them (WARN, ERR, FATAL…), so a difference from the truth comes from how a tool counts,
 * not from a shorter word list.
 */
export const LEVEL_WORDS = Object.fromEntries(
  LEVELS.map((level) => [
    level,
    [level, ...Object.keys(DEFAULT_ALIASES).filter((word) => DEFAULT_ALIASES[word] === level)],
  ]),
) as Record<Level, string[]>;
export const ALL_WORDS = Object.values(LEVEL_WORDS)
  .flat()
  .sort((a, b) => b.length - a.length);
export const ALTERNATION = ALL_WORDS.join('|');

// The C locale is the fast one for grep -i, awk and sort, and treats bytes as bytes.
const ENV = { ...process.env, LC_ALL: 'C' };
function zeroLevels(): Record<Level, number> {
  return Object.fromEntries(LEVELS.map((level) => [level, 0])) as Record<Level, number>;
}

/** `COUNT WORD` lines (uniq -c, awk, Python) folded into canonical levels, any case. */
export function parseWordCounts(stdout: string): Record<Level, number> {
  const levels = zeroLevels();
  for (const line of stdout.split('\n')) {
    const match = /^\s*(\d+)\s+(\S+)\s*$/.exec(line);
    if (match === null) continue;
    const word = match[2]!.toUpperCase();
    const level = (LEVELS as readonly string[]).includes(word) ? (word as Level) : DEFAULT_ALIASES[word];
    if (level !== undefined) levels[level] += Number(match[1]);
  }
  return levels;
}

let python: string | undefined;
/** The interpreter itself, not a pyenv shim (a bash script that would be timed too). */
export function pythonPath(): string {
  python ??= (() => {
    try {
      return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
        encoding: 'utf8',
      }).trim();
    } catch {
      return 'python3';
    }
  })();
  return python;
}

/** A tool run once per level, as in `for l in …; do rg -c -w -i $l app.log; done`. */
export function perLevel(
  name: string,
  label: (input: Input) => string,
  argv: (words: readonly string[], target: Target) => string[],
): Contender {
  return {
    name,
    role: 'tool',
    inputs: ['plain', 'gzip'],
    // Seven decompressions of the whole file: minutes for 1 GiB.
    slowOn: ['gzip'],
    label,
    async measure(target, budgetMs) {
      const deadline = performance.now() + budgetMs;
      const levels = zeroLevels();
      let ms = 0;
      let peakBytes = 0;
      for (const level of LEVELS) {
        const run = await runChild(argv(LEVEL_WORDS[level], target), {
          timeoutMs: Math.max(1, deadline - performance.now()),
          env: ENV,
          okExitCodes: [0, 1],
        });
        const count = Number(run.stdout.trim() || '0');
        if (!Number.isSafeInteger(count)) throw new Error(`${name}: not a count: ${run.stdout.slice(0, 80)}`);
        levels[level] = count;
        ms += run.ms;
        peakBytes = Math.max(peakBytes, run.peakBytes);
      }
      return { ms, bytes: target.bytes, peakBytes, levels };
    },
  };
}

/** A command (or `bash -c` pipeline) that reads the file once. */
export function onePass(
  name: string,
  role: Contender['role'],
  inputs: readonly Input[],
  label: (input: Input) => string,
  argv: (target: Target) => string[],
  parse?: (stdout: string) => Record<Level, number>,
): Contender {
  return {
    name,
    role,
    inputs,
    label,
    async measure(target, budgetMs) {
      const run = await runChild(argv(target), { timeoutMs: budgetMs, env: ENV, okExitCodes: [0, 1] });
      const outcome: Outcome = { ms: run.ms, bytes: target.bytes, peakBytes: run.peakBytes };
      if (parse !== undefined) outcome.levels = parse(run.stdout);
      return outcome;
    },
  };
}

/** The measuring Node script: bench/logs/worker.ts, built to JavaScript or run through tsx. */
export interface NodeWorker {
  url: URL;
  tsx: boolean;
}

/** A measurement in a fresh Node process, timed inside it (start-up excluded). */
export function inNode(
  worker: NodeWorker,
  name: string,
  role: Contender['role'],
  kind: NodeJob['kind'],
  inputs: readonly Input[],
  label: (input: Input) => string,
): Contender {
  return {
    name,
    role,
    inputs,
    label,
    // The budget is for the count; Node and tsx take a moment to start before it.
    measure: (target, budgetMs) =>
      runIsolated<Outcome>(
        worker.url,
        [JSON.stringify({ kind, path: target.path } satisfies NodeJob)],
        budgetMs + 10_000,
        { tsx: worker.tsx },
      ),
  };
}

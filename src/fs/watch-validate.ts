// The checks behind normalizeWatchOptions(): each throws SRE_USAGE naming the option, what
// was expected and what was received.
import { ConfigError } from '../errors/index.js';
import type { LedgerStore } from './ledger-store.js';
import { globToRegExp, type PathMatcher } from './watch-match.js';

export function isLedgerStore(value: unknown): value is LedgerStore {
  const store = value as Record<string, unknown> | null;
  return (
    typeof store === 'object' &&
    store !== null &&
    ['open', 'get', 'record', 'close'].every((method) => typeof store[method] === 'function')
  );
}

export function checkMatcher(name: string, value: PathMatcher | undefined): PathMatcher | undefined {
  if (value === undefined || typeof value === 'function') return value;
  const globs = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(globs) || globs.some((glob) => typeof glob !== 'string' || glob === ''))
    fail(`${name} must be a glob, an array of globs or a function, received ${show(value)}`);
  for (const glob of globs) {
    try {
      globToRegExp(glob);
    } catch (error) {
      fail(`${name}: ${(error as Error).message}`);
    }
  }
  return value;
}

export function duration(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min)
    fail(`${name} must be a number of milliseconds of at least ${min}, received ${show(value)}`);
  return value;
}

export function integer(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
    fail(`${name} must be an integer of at least ${min}, received ${show(value)}`);
  return value;
}

export function boolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(`${name} must be true or false, received ${show(value)}`);
  return value;
}

export function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T))
    fail(`${name} must be ${allowed.map((item) => `'${item}'`).join(' or ')}, received ${show(value)}`);
  return value as T;
}

export function show(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

export function fail(message: string): never {
  throw new ConfigError('SRE_USAGE', `watchDirectory(): ${message}`);
}

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { type LogTruth, writeLogFile } from '../../test/fixtures/logs/generate.js';
import { formatMiB } from '../lib/table.js';

/** A generated log, its gzip and the generator's true counts. */
export interface LogFile {
  path: string;
  gzipPath: string;
  /** Uncompressed size. */
  bytes: number;
  gzipBytes: number;
  truth: LogTruth;
}

/** Where generated logs are kept between runs (`BENCH_CACHE_DIR` overrides it). */
export const CACHE_DIR =
  process.env.BENCH_CACHE_DIR ??
  fileURLToPath(new URL('../../node_modules/.cache/sre-kit-bench/', import.meta.url));

// The truth is only as good as the generator that wrote it: a change to the generator (or to
// the level names it imports) makes a new file rather than reusing one whose truth is stale.
const GENERATOR_SOURCES = [
  new URL('../../test/fixtures/logs/', import.meta.url),
  new URL('../../src/logs/levels.ts', import.meta.url),
];

async function generatorHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const source of GENERATOR_SOURCES) {
    const files = source.pathname.endsWith('/')
      ? (await readdir(source))
          .filter((name) => name.endsWith('.ts'))
          .sort()
          .map((name) => new URL(name, source))
      : [source];
    for (const file of files) hash.update(file.pathname).update(await readFile(file));
  }
  return hash.digest('hex').slice(0, 12);
}

async function readCached(path: string, gzipPath: string, truthPath: string): Promise<LogFile | undefined> {
  try {
    const truth = JSON.parse(await readFile(truthPath, 'utf8')) as LogTruth;
    const [plain, gzip] = await Promise.all([stat(path), stat(gzipPath)]);
    if (plain.size !== truth.bytes) return undefined;
    return { path, gzipPath, bytes: plain.size, gzipBytes: gzip.size, truth };
  } catch {
    return undefined;
  }
}

/**
 * The log of `bytes` generated with `seed` by test/fixtures/logs/generate.ts, gzipped at
 * level 6 (gzip's and logrotate's default), from the cache when an earlier run made the same
 * one. The truth file is written last, so an interrupted run leaves nothing that looks done.
 */
export async function prepareLog(bytes: number, seed: number): Promise<LogFile> {
  await mkdir(CACHE_DIR, { recursive: true });
  const stem = `logs-seed${seed}-${bytes}`;
  const key = `${stem}-${await generatorHash()}`;
  const path = join(CACHE_DIR, `${key}.log`);
  const gzipPath = `${path}.gz`;
  const truthPath = join(CACHE_DIR, `${key}.truth.json`);
  const cached = await readCached(path, gzipPath, truthPath);
  if (cached !== undefined) {
    process.stderr.write(`  using cached ${path}\n`);
    return cached;
  }
  for (const name of await readdir(CACHE_DIR))
    if (name.startsWith(`${stem}-`) && !name.startsWith(`${key}.`))
      await rm(join(CACHE_DIR, name), { force: true });
  const started = performance.now();
  process.stderr.write(
    `  generating ${formatMiB(bytes)} of logs (seed ${seed}) and its gzip into ${CACHE_DIR}\n`,
  );
  const temporary = `${path}.${process.pid}.tmp`;
  const truth = await writeLogFile(temporary, { bytes, seed });
  await pipeline(createReadStream(temporary), createGzip({ level: 6 }), createWriteStream(`${temporary}.gz`));
  await rename(temporary, path);
  await rename(`${temporary}.gz`, gzipPath);
  await writeFile(truthPath, `${JSON.stringify(truth)}\n`);
  process.stderr.write(`  generated in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return { path, gzipPath, bytes: truth.bytes, gzipBytes: (await stat(gzipPath)).size, truth };
}

/** Reads files once so that every tool finds them in the page cache. */
export function warmPageCache(paths: readonly string[]): void {
  for (const path of paths) spawnSync('cat', [path], { stdio: 'ignore' });
}

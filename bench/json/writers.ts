import { readFile, writeFile } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';
import { updateJson } from '../../src/fs/index.js';
import { ConfigSchema } from './config.js';

/** One read-modify-write of the config's counter, done the way each contender does it. */
export const WRITERS = {
  /** sre-kit: queue, lock, read, validate, apply, validate, atomic write, directory fsync. */
  updateJson: async (path: string) => {
    await updateJson(
      path,
      (data: { counter: number }) => {
        data.counter += 1;
      },
      { schema: ConfigSchema },
    );
  },
  /** write-file-atomic alone: temp file, fsync, rename; no lock, no validation. */
  'write-file-atomic': async (path: string) => {
    const data = JSON.parse(await readFile(path, 'utf8'));
    data.counter += 1;
    await writeFileAtomic(path, `${JSON.stringify(data, null, 2)}\n`);
  },
  /** Plain fs.writeFile: truncates in place; a crash leaves a torn file. */
  'fs.writeFile': async (path: string) => {
    const data = JSON.parse(await readFile(path, 'utf8'));
    data.counter += 1;
    await writeFile(path, `${JSON.stringify(data, null, 2)}\n`);
  },
} as const;

export type WriterName = keyof typeof WRITERS;

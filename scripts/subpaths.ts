/** The public subpaths of the package: `.` is the root, the others are `sre-kit/<name>`. */
export const SUBPATHS = ['.', 'errors', 'fs', 'process', 'secrets', 'logs', 'remote'] as const;

/**
 * Files built beside the subpaths that are loaded by URL, never imported: the worker of
 * `countLevels(…, { parallel: true })`. They are not in the exports map.
 */
export const WORKER_ENTRIES = { 'logs/worker': 'src/logs/worker.ts' } as const;

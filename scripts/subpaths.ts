/** The public subpaths of the package: `.` is the root, the others are `sre-kit/<name>`. */
export const SUBPATHS = ['.', 'errors', 'fs', 'process', 'secrets', 'logs', 'remote'] as const;

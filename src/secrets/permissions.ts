import type { Stats } from 'node:fs';
import { lstat, readlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * How strictly secret files are checked.
 * - `'strict'`: the file must be owned by this process's user and not readable or writable
 *   by group or others (mode 0600 or 0400).
 * - `'container-aware'` (the default): strict, except for the two layouts container runtimes
 *   make on purpose: a Kubernetes secret volume (files reached through the `..data` symlink,
 *   0644 by default, owned by root) and Docker's `/run/secrets` (0444, owned by root). Those
 *   are accepted while nobody but the owner can write them.
 * - `'warn'`: never refuse; an insecure file is read and a warning is logged. Unsafe: use it
 *   only where the file system is known to be private.
 */
export type PermissionPolicy = 'strict' | 'container-aware' | 'warn';

/** Why a secret file is not safe to read, with the command that fixes it; `undefined` when it is. */
export async function checkPermissions(
  path: string,
  info: Stats,
  policy: PermissionPolicy,
): Promise<string | undefined> {
  const problem = describeProblem(path, info);
  if (problem === undefined) return undefined;
  if (policy === 'container-aware' && (info.mode & 0o022) === 0 && (await isContainerManaged(path)))
    return undefined;
  return problem;
}

function describeProblem(path: string, info: Stats): string | undefined {
  const mode = info.mode & 0o777;
  const uid = process.getuid?.();
  if (mode & 0o077) {
    const who = mode & 0o007 ? 'others' : 'its group';
    return `${path} is readable or writable by ${who} (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${shellWord(path)}`;
  }
  if (uid !== undefined && info.uid !== uid) {
    return `${path} is owned by uid ${info.uid}, not by this process's uid ${uid}; run: chown ${uid} ${shellWord(path)}`;
  }
  return undefined;
}

/** Kubernetes secret volumes (a `..data` symlink beside the file) and Docker's /run/secrets. */
async function isContainerManaged(path: string): Promise<boolean> {
  if (dirname(path) === '/run/secrets') return true;
  try {
    const link = await lstat(path);
    const data = await lstat(join(dirname(path), '..data'));
    if (!data.isSymbolicLink()) return false;
    return !link.isSymbolicLink() || (await readlink(path)) === join('..data', basename(path));
  } catch {
    return false;
  }
}

function shellWord(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

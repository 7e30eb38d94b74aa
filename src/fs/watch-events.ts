import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';

/** What the event source reports. */
export interface EventHandlers {
  /** A file was created, changed or renamed in (chokidar's `add` and `change` alike). */
  file(relativePath: string, path: string, stats: Stats | undefined): void;
  /** chokidar reported an error (a watch limit reached, a folder that cannot be read). */
  error(error: Error): void;
}

/** The chokidar side of a watcher: file events in, relative paths out. */
export interface EventSource {
  /** Resolves once chokidar watches every folder. */
  readonly ready: Promise<void>;
  /** While paused, events are dropped, as an inotify overflow drops them (for tests of the reconcile scan). */
  paused: boolean;
  close(): Promise<void>;
}

/** lstat rounds for one path while raw events keep coming for it. */
const RESTATS = 4;

/** `/`-separated path of `path` relative to `root`. */
export function toRelative(root: string, path: string): string {
  const rel = relative(root, path);
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/**
 * Watches `root` with chokidar and reports file events. chokidar's own initial scan and
 * awaitWriteFinish are off: the watcher lists the folder itself and checks stability for
 * every file alike. `change` is reported like `add`: chokidar's `atomic` option (on by
 * default) turns a delete-and-recreate within 100 ms into `change`, and a rewritten file
 * may be a new one. Symlinks are not followed, so a link cannot make a loop.
 *
 * New files are also picked up from chokidar's `raw` events (one per fs.watch event, with
 * the file name), because chokidar itself finds a new file by re-reading its folder, at
 * most once a second: in a burst its `add` comes up to seconds late. `raw` is documented as
 * internal; if it ever stops coming, `add` and the reconcile scan still find every file.
 */
export function watchEvents(
  root: string,
  options: { recursive: boolean; ignores: (relativePath: string) => boolean },
  on: EventHandlers,
): EventSource {
  const chokidar: FSWatcher = watch(root, {
    ignoreInitial: true,
    followSymlinks: false,
    alwaysStat: true,
    awaitWriteFinish: false,
    persistent: true,
    ...(options.recursive ? {} : { depth: 0 }),
    ignored: (path: string) => path !== root && options.ignores(toRelative(root, path)),
  });
  const source = {
    paused: false,
    // chokidar emits ready even when a folder could not be watched (that is an `error` event).
    ready: new Promise<void>((resolve) => chokidar.once('ready', resolve)),
    close: () => chokidar.close(),
  };
  const report = (path: string, stats?: Stats) => {
    if (source.paused || chokidar.closed) return;
    const rel = toRelative(root, path);
    if (rel === '' || rel.startsWith('..') || options.ignores(rel)) return;
    if (!options.recursive && rel.includes('/')) return;
    on.file(rel, path, stats);
  };
  // Paths being stat'ed for a raw event, and whether another event came meanwhile.
  const statting = new Map<string, boolean>();
  const restat = async (path: string) => {
    for (let round = 0; round < RESTATS; round++) {
      statting.set(path, false);
      const stats = await lstat(path).catch(() => undefined);
      if (stats?.isFile()) report(path, stats);
      if (statting.get(path) !== true) break;
    }
    statting.delete(path);
  };
  chokidar.on('raw', (_event, name, details) => {
    const watched = (details as { watchedPath?: unknown } | undefined)?.watchedPath;
    if (source.paused || typeof name !== 'string' || typeof watched !== 'string') return;
    // A folder's watcher names a child; a file's own watcher names the file.
    const path = basename(watched) === name ? watched : join(watched, name);
    if (statting.has(path)) statting.set(path, true);
    else void restat(path);
  });
  chokidar.on('add', report);
  chokidar.on('change', report);
  chokidar.on('error', (error) => on.error(error instanceof Error ? error : new Error(String(error))));
  return source;
}

import { readFile } from 'node:fs/promises';
import type { ZodType, z } from 'zod';
import { AbortError, ConfigError, fromZodError } from '../errors/index.js';
import type { JsonValue } from '../internal/json-safe.js';
import { writeAtomic } from './atomic.js';
import { diffJson, type JsonChange } from './diff.js';
import { readExisting } from './json-read.js';
import { DEFAULT_FORMAT, detectFormat, type JsonFormat, parseJsonText } from './json-text.js';
import { type LockOptions, withResolvedLock } from './lock.js';
import { applyMergePatch, isJsonObject, type MergePatch } from './merge-patch.js';
import { resolveTarget, toFileError } from './paths.js';

/** Options of {@link readJson}. */
export interface ReadJsonOptions<S extends ZodType> {
  /** Validates the data; the result is the schema's output. */
  schema?: S;
}

/**
 * Reads and parses a JSON file, validated and typed by a zod schema if one is given.
 *
 * @throws `SRE_FILE_NOT_FOUND`, `SRE_FILE_PERMISSION`, `SRE_FILE_INVALID_JSON` (with line and
 *   column; an empty file is invalid, never `{}`), `SRE_CONFIG_INVALID` (each bad path named).
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { readJson } from 'sre-kit/fs';
 *
 * const Config = z.object({ server: z.object({ port: z.number().int() }) });
 * const config = await readJson('/etc/app/config.json', { schema: Config });
 * console.log(config.server.port);
 * ```
 */
export async function readJson<S extends ZodType = ZodType<JsonValue>>(
  path: string,
  options: ReadJsonOptions<S> = {},
): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw toFileError(error, path, 'read');
  }
  const data = parseJsonText(text, path);
  if (options.schema === undefined) return data as z.output<S>;
  const parsed = options.schema.safeParse(data);
  if (!parsed.success) throw fromZodError(parsed.error, { source: path, input: data });
  return parsed.data;
}

/** Options of {@link updateJson}. */
export interface UpdateJsonOptions<T = unknown> extends LockOptions {
  /** Validates the file before the update and the result after it; unknown keys are kept. */
  schema?: ZodType;
  /** The value to start from when the file does not exist; without it a missing file is an error. */
  create?: T;
  /** Keep the previous version as `<file>.bak`. @default false */
  backup?: boolean;
  /** Indentation of the written file. @default the file's own (two spaces for a new file) */
  indent?: number | string;
  /** Compute and return the result, write nothing. @default false */
  dryRun?: boolean;
  /** The mode of a file that `create` creates (an existing file keeps its own). @default 0o666 minus the umask */
  mode?: number;
}

/** What {@link updateJson} did. */
export interface UpdateJsonResult<T> {
  /** The real path written (symlinks resolved). */
  path: string;
  /** The data before the update; `undefined` when the file was created. */
  before: T | undefined;
  after: T;
  /** Whether the file was (or, with `dryRun`, would be) written. */
  changed: boolean;
  created: boolean;
  changes: JsonChange[];
}

/** A function that returns the next value, or changes `current` in place and returns nothing. */
// biome-ignore lint/suspicious/noConfusingVoidType: `void` is what lets `(data) => { data.n++; }` type-check
export type JsonUpdater<T> = (current: T) => T | undefined | void | Promise<T | undefined | void>;

/**
 * Updates a JSON file so that no update is lost and no reader ever sees a partial file: an
 * in-process queue, the cross-process lock, read, validate, apply, validate, write to a temp
 * file with fsync, rename over the file, fsync the directory. `update` is a function or a
 * JSON Merge Patch (RFC 7396: nested objects merge, `null` deletes a key). A file that is not
 * valid JSON or fails the schema is never overwritten, and neither is it with a result that
 * fails the schema. An update that changes nothing writes nothing. The file's mode and owner
 * are kept; a symlink is updated through, and stays a link.
 *
 * @throws `SRE_FILE_NOT_FOUND` (without `create`), `SRE_FILE_INVALID_JSON`,
 *   `SRE_CONFIG_INVALID`, `SRE_LOCK_TIMEOUT`, `SRE_LOCK_COMPROMISED`, `SRE_ABORTED`.
 *
 * @example
 * ```ts
 * import { updateJson } from 'sre-kit/fs';
 *
 * // A merge patch: set server.port, delete debug.
 * const { changes } = await updateJson('app.json', { server: { port: 8080 }, debug: null });
 * // A function, safe to run from many cron jobs at once.
 * await updateJson('counters.json', (data) => { data.runs += 1; }, { create: { runs: 0 } });
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: without a schema the file's shape is the caller's to state
export async function updateJson<T = any>(
  path: string,
  update: JsonUpdater<T> | MergePatch,
  options: UpdateJsonOptions<T> = {},
): Promise<UpdateJsonResult<T>> {
  if (typeof update !== 'function' && !isJsonObject(update)) {
    throw new ConfigError(
      'SRE_USAGE',
      `updateJson(): update must be a function or a merge-patch object, received ${update === null ? 'null' : typeof update}`,
    );
  }
  const target = await resolveTarget(path);
  return withResolvedLock(
    target,
    async ({ assertHeld, signal }) => {
      const existing = await readExisting(target, 'create' in options);
      const created = existing === undefined;
      // Parsed afresh for each use: JSON.parse is several times faster than a deep clone, and
      // gives own, plain properties only (prototype-safe) just the same.
      const load = (): JsonValue =>
        existing === undefined
          ? toJson(options.create, 'the create option')
          : parseJsonText(existing.text, target);
      const current = load();
      validate(options.schema, current, created ? `${target} (the create option)` : target);
      const format = existing === undefined ? { ...DEFAULT_FORMAT } : detectFormat(existing.text);
      if (options.indent !== undefined) format.indent = options.indent;
      // `current` stays the `before`: a function is given its own copy, a merge patch builds a
      // new value. The result is serialised once, in the file's layout, and parsed back: the
      // same plain JSON copy as toJson(), and the text to write.
      const applied =
        typeof update === 'function' ? await applyFunction(update, load()) : applyMergePatch(current, update);
      const body = toJsonText(applied, `${target} (after the update)`, format.indent);
      const next = JSON.parse(body) as JsonValue;
      if (signal.aborted)
        throw new AbortError('SRE_ABORTED', `Update of ${target} aborted`, { cause: signal.reason });
      validate(options.schema, next, `${target} (after the update)`);
      const changes = created ? [] : diffJson(current, next);
      const result: UpdateJsonResult<T> = {
        path: target,
        before: created ? undefined : (current as T),
        after: next as T,
        changed: created || changes.length > 0,
        created,
        changes,
      };
      if (!result.changed || options.dryRun) return result;
      // The file's own mode and owner, for the new version and the backup: a 0600 config must
      // not become, or get a copy that is, 0644. Given to writeAtomic, which then needs no stat.
      const keep = existing && {
        mode: existing.info.mode & 0o7777,
        owner: { uid: existing.info.uid, gid: existing.info.gid },
      };
      if (options.backup && existing !== undefined)
        await writeAtomic(`${target}.bak`, existing.text, { ...keep });
      await assertHeld();
      // Temp file, fsync, rename, fsync of the directory: what write-file-atomic does plus the
      // directory fsync, in a third of its threadpool round trips (no realpath walk, no stat).
      await writeAtomic(
        target,
        withLayout(body, format),
        keep ? { ...keep } : options.mode !== undefined ? { mode: options.mode } : {},
      );
      return result;
    },
    options,
  );
}

async function applyFunction<T>(update: JsonUpdater<T>, working: JsonValue): Promise<unknown> {
  const returned = await update(working as T);
  return returned === undefined ? working : returned;
}

/**
 * A JSON copy of a value through `JSON.stringify`, which drops what a file cannot hold and
 * ignores prototypes: the copy has own, plain properties only.
 */
function toJson(value: unknown, what: string): JsonValue {
  return JSON.parse(toJsonText(value, what, 0)) as JsonValue;
}

function toJsonText(value: unknown, what: string, indent: string | number): string {
  const text = JSON.stringify(value, null, indent);
  if (text === undefined)
    throw new ConfigError('SRE_DATA_INVALID', `${what} is not JSON data (received ${typeof value})`);
  return text;
}

/** The serialised body with the file's BOM and final newline, as formatJson lays them out. */
function withLayout(body: string, format: JsonFormat): string {
  return `${format.bom ? '\uFEFF' : ''}${body}${format.finalNewline ? '\n' : ''}`;
}

function validate(schema: ZodType | undefined, data: JsonValue, source: string): void {
  if (schema === undefined) return;
  // Validation only: the data is kept as it is, so keys the schema does not name survive.
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw fromZodError(parsed.error, { source, input: data });
}

/** A value that survives `JSON.stringify` / `JSON.parse` unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

const MAX_DEPTH = 12;

/**
 * Copies `value` into plain JSON: bigints become strings, `undefined` and functions are
 * dropped, Dates become ISO strings, Errors become `{ name, message, code }`, cycles and
 * anything deeper than 12 levels become a marker string. Getters that throw are reported,
 * not rethrown: this runs while an error is being built, where a second throw would hide
 * the first.
 */
export function toJsonSafe(value: unknown, seen: Set<object> = new Set(), depth = 0): JsonValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value.toString();
    case 'symbol':
      return value.toString();
    case 'undefined':
    case 'function':
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (seen.has(object)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Too deep]';
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  if (object instanceof Error) {
    const out: JsonObject = {
      name: safeString(() => object.name),
      message: safeString(() => object.message),
    };
    const code = safeGet(() => (object as { code?: unknown }).code);
    if (typeof code === 'string' || typeof code === 'number') out.code = code;
    return out;
  }
  if (Buffer.isBuffer(object)) return `[Buffer ${object.length} bytes]`;
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      return object.map((item) => toJsonSafe(item, seen, depth + 1) ?? null);
    }
    const out: JsonObject = {};
    for (const key of Object.keys(object)) {
      let item: unknown;
      try {
        item = (object as Record<string, unknown>)[key];
      } catch (error) {
        item = `[Getter threw: ${safeString(() => (error as Error).message)}]`;
      }
      const safe = toJsonSafe(item, seen, depth + 1);
      if (safe !== undefined) out[key] = safe;
    }
    return out;
  } finally {
    seen.delete(object);
  }
}

/** Reads a property through a getter that may throw; returns `undefined` when it does. */
export function safeGet<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** Reads a value as a string without ever throwing. */
export function safeString(read: () => unknown): string {
  try {
    const value = read();
    return typeof value === 'string' ? value : String(value);
  } catch (error) {
    try {
      return `[unreadable: ${String((error as Error)?.message ?? error)}]`;
    } catch {
      return '[unreadable]';
    }
  }
}

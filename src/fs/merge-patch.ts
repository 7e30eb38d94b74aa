import type { JsonValue } from '../internal/json-safe.js';

/** A JSON Merge Patch (RFC 7396): nested objects merge, `null` deletes a key. */
export type MergePatch = { [key: string]: JsonValue | MergePatch };

/** Whether a value is a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Applies a JSON Merge Patch (RFC 7396) and returns the result; `target` is not changed.
 * Keys are defined as own properties, so `__proto__`, `constructor` and `prototype` in a
 * patch are plain data and never reach an object's prototype.
 */
export function applyMergePatch(target: unknown, patch: unknown): JsonValue {
  if (!isJsonObject(patch)) return clone(patch as JsonValue);
  const result: Record<string, JsonValue> = isJsonObject(target) ? clone(target) : {};
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) {
      delete result[key];
    } else {
      const current = Object.hasOwn(result, key) ? result[key] : undefined;
      define(result, key, applyMergePatch(current, value));
    }
  }
  return result;
}

/** A deep copy of JSON data made with own properties only (prototype-safe). */
export function clone<T extends JsonValue>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => clone(item)) as T;
  if (!isJsonObject(value)) return value;
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(value)) define(out, key, clone(value[key] as JsonValue));
  return out as T;
}

function define(object: Record<string, JsonValue>, key: string, value: JsonValue): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}
